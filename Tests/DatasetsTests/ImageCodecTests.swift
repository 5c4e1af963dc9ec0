import Testing

@testable import Datasets

@Suite struct ImageCodecTests {
    @Test func pngRoundTripsGreyAndRGBExactly() throws {
        let grey = DecodedImage(width: 3, height: 2, channels: 1, samples: [0, 50, 100, 150, 200, 255])
        #expect(try PNGCodec.decode(PNGCodec.encode(grey)) == grey)
        let rgb = DecodedImage(width: 2, height: 1, channels: 3, samples: [255, 0, 0, 10, 20, 30])
        #expect(try PNGCodec.decode(PNGCodec.encode(rgb)) == rgb)
    }

    @Test func lumaUsesBT601Weights() {
        let rgb = DecodedImage(
            width: 4, height: 1, channels: 3, samples: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
        let luma = rgb.luma()
        for (value, expected) in zip(luma, [0.299, 0.587, 0.114, 1.0]) { #expect(abs(Double(value) - expected) < 1e-6) }
    }

    @Test func jpegRoundTripIsCloseForGreyAndColour() throws {
        let ramp = (0..<(16 * 16)).map { UInt8(($0 % 16) * 16) }
        let grey = DecodedImage(width: 16, height: 16, channels: 1, samples: ramp)
        let decoded = try JPEGCodec.decode(JPEGCodec.encode(grey, quality: 95))
        #expect(decoded.channels == 1 && decoded.width == 16 && decoded.height == 16)
        #expect(zip(decoded.samples, ramp).allSatisfy { abs(Int($0) - Int($1)) <= 6 })
        let red = DecodedImage(
            width: 8, height: 8, channels: 3, samples: Array(repeating: [200, 30, 30], count: 64).flatMap { $0 })
        let decodedRed = try JPEGCodec.decode(JPEGCodec.encode(red, quality: 95))
        #expect(decodedRed.channels == 3)
        #expect(abs(Double(decodedRed.luma()[0]) - (0.299 * 200 + 0.587 * 30 + 0.114 * 30) / 255) < 0.03)
    }

    @Test func corruptAndTruncatedFilesThrowInsteadOfCrashing() throws {
        let jpeg = try JPEGCodec.encode(
            DecodedImage(width: 32, height: 32, channels: 1, samples: (0..<1024).map { UInt8($0 % 251) }))
        let png = try PNGCodec.encode(
            DecodedImage(width: 32, height: 32, channels: 1, samples: (0..<1024).map { UInt8($0 % 251) }))
        // Every truncation point, and a flipped byte at many offsets: each must throw or decode, never exit.
        for cut in stride(from: 0, to: jpeg.count, by: 7) {
            #expect(throws: ImageCodecError.self) { try JPEGCodec.decode(Array(jpeg.prefix(cut))) }
        }
        // A PNG cut inside its pixel data fails; one missing only the 12-byte IEND chunk still
        // holds every pixel, and libpng may return them.
        for cut in stride(from: 0, to: png.count - 12, by: 5) {
            #expect(throws: ImageCodecError.self) { try PNGCodec.decode(Array(png.prefix(cut))) }
        }
        for cut in (png.count - 12)..<png.count {
            if let image = try? PNGCodec.decode(Array(png.prefix(cut))) {
                #expect(image.samples == (0..<1024).map { UInt8($0 % 251) })
            }
        }
        for offset in stride(from: 2, to: jpeg.count, by: 11) {
            var bad = jpeg
            bad[offset] ^= 0x5A
            _ = try? JPEGCodec.decode(bad)
        }
        for offset in stride(from: 8, to: png.count, by: 3) {
            var bad = png
            bad[offset] ^= 0x5A
            _ = try? PNGCodec.decode(bad)
        }
        var badCRC = png
        badCRC[png.count / 2] ^= 0xFF
        #expect(throws: ImageCodecError.self) { try PNGCodec.decode(badCRC) }
    }

    @Test func truncatedJPEGReportsLibjpegsMessage() throws {
        let jpeg = try JPEGCodec.encode(
            DecodedImage(width: 32, height: 32, channels: 1, samples: (0..<1024).map { UInt8($0 % 251) }))
        do {
            _ = try JPEGCodec.decode(Array(jpeg.prefix(jpeg.count * 2 / 3)))
            Issue.record("a truncated JPEG decoded")
        } catch {
            #expect(error.message.contains("Premature end of JPEG file"))
        }
    }
}
