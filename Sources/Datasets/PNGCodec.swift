import CPNG

/// PNG decoding and encoding through libpng's simplified API (`png_image_*`), which reports
/// corrupt data as an error code and message instead of the longjmp/abort of the classic API.
public enum PNGCodec {
    /// Decodes a PNG in memory to 8-bit grey (grey files) or RGB (colour and palette files).
    /// 16-bit samples are scaled to 8 bits; transparency is composited onto black.
    /// - Throws: the decoder's message, for a file that is not a complete, valid PNG.
    public static func decode(_ data: [UInt8]) throws(ImageCodecError) -> DecodedImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw ImageCodecError(message(of: &image)) }
        let color = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = color ? 3 : 1
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0, width * height <= maximumDecodedPixels else {
            png_image_free(&image)
            throw ImageCodecError("image of \(width)×\(height) pixels is too large")
        }
        image.format = color ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0
        // Without gAMA/sRGB chunks, treat 16-bit samples as sRGB like 8-bit ones (libpng would
        // otherwise assume linear light and gamma-encode them).
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        let finished = samples.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else { throw ImageCodecError(message(of: &image)) }
        return DecodedImage(width: width, height: height, channels: channels, samples: samples)
    }

    /// Encodes 8-bit grey or RGB samples as a PNG file's bytes.
    public static func encode(_ image: DecodedImage) throws(ImageCodecError) -> [UInt8] {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = image.channels == 3 ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0
        let stride = png_int_32(image.width * image.channels)
        var size = 0
        // First call measures, second writes (libpng's documented two-pass use).
        let measured = image.samples.withUnsafeBytes {
            png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil)
        }
        guard measured != 0 else { throw ImageCodecError(message(of: &png)) }
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBytes { out in
            image.samples.withUnsafeBytes {
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, stride, nil)
            }
        }
        guard written != 0 else { throw ImageCodecError(message(of: &png)) }
        return Array(bytes.prefix(size))
    }

    /// Encodes `pixels` (row-major values in [0, 1], clamped) as an 8-bit greyscale PNG.
    public static func encodeGray(_ pixels: [Float], width: Int, height: Int) throws(ImageCodecError) -> [UInt8] {
        let samples = pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
        return try encode(DecodedImage(width: width, height: height, channels: 1, samples: samples))
    }

    private static func message(of image: inout png_image) -> String {
        png_image_free(&image)
        let text = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng failed without a message" : text
    }
}

/// Why an image file could not be decoded or encoded: the library's own message.
public struct ImageCodecError: Error, CustomStringConvertible, Sendable {
    /// The decoder's message, e.g. libpng's "IDAT: CRC error" or libjpeg's "Premature end of JPEG file".
    public let message: String
    /// A failure with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
