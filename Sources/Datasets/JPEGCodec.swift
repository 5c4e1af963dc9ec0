import CJPEG

/// JPEG decoding (and, for tests and tools, encoding) through libjpeg-turbo via the C helpers
/// in `Sources/CJPEG/shim.h`, which keep libjpeg's fatal-error longjmp inside C and turn
/// warnings about corrupt or truncated data into errors.
public enum JPEGCodec {
    /// Decodes a JPEG in memory to 8-bit grey (greyscale files) or RGB (colour files).
    /// - Throws: libjpeg's message for a corrupt, truncated or unsupported file (e.g. CMYK).
    public static func decode(_ data: [UInt8]) throws(ImageCodecError) -> DecodedImage {
        var (width, height, channels): (Int32, Int32, Int32) = (0, 0, 0)
        var message = [CChar](repeating: 0, count: Int(SHARP_JPEG_MESSAGE_LENGTH))
        let header = data.withUnsafeBufferPointer { bytes in
            sharp_jpeg_decode(bytes.baseAddress, UInt(bytes.count), nil, 0, &width, &height, &channels, &message)
        }
        guard header == 0 else { throw ImageCodecError(text(message)) }
        let (w, h, c) = (Int(width), Int(height), Int(channels))
        guard w > 0, h > 0, w * h <= maximumDecodedPixels, c == 1 || c == 3 else {
            throw ImageCodecError("unsupported JPEG: \(w)×\(h) pixels, \(c) channels")
        }
        var samples = [UInt8](repeating: 0, count: w * h * c)
        let status = data.withUnsafeBufferPointer { bytes in
            samples.withUnsafeMutableBufferPointer { out in
                sharp_jpeg_decode(
                    bytes.baseAddress, UInt(bytes.count), out.baseAddress, UInt(out.count), &width, &height, &channels,
                    &message)
            }
        }
        guard status == 0 else { throw ImageCodecError(text(message)) }
        return DecodedImage(width: w, height: h, channels: c, samples: samples)
    }

    /// Encodes 8-bit grey or RGB samples as a baseline JPEG at `quality` (1–100).
    public static func encode(_ image: DecodedImage, quality: Int = 90) throws(ImageCodecError) -> [UInt8] {
        var message = [CChar](repeating: 0, count: Int(SHARP_JPEG_MESSAGE_LENGTH))
        // Headers plus at most ~1.5 bytes per sample even at quality 100.
        var output = [UInt8](repeating: 0, count: 4096 + 2 * image.samples.count)
        let size = image.samples.withUnsafeBufferPointer { pixels in
            output.withUnsafeMutableBufferPointer { out in
                sharp_jpeg_encode(
                    pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                    Int32(min(max(quality, 1), 100)), out.baseAddress, UInt(out.count), &message)
            }
        }
        guard size >= 0 else { throw ImageCodecError(text(message)) }
        return Array(output.prefix(size))
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "libjpeg failed without a message" : String(decoding: bytes, as: UTF8.self)
    }
}
