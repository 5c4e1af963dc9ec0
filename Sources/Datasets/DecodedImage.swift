/// An 8-bit image straight from a decoder: grey (1 channel) or RGB (3), row-major, interleaved.
public struct DecodedImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Samples per pixel: 1 (grey) or 3 (RGB).
    public var channels: Int
    /// `width · height · channels` samples.
    public var samples: [UInt8]

    /// An image of the given size; `samples.count` must be `width · height · channels`.
    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        precondition(channels == 1 || channels == 3, "DecodedImage: channels must be 1 or 3, not \(channels)")
        precondition(samples.count == width * height * channels, "DecodedImage: sample count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// Luma in [0, 1], row-major: ITU-R BT.601 weights (0.299 R + 0.587 G + 0.114 B) on the
    /// stored (gamma-encoded) values, as JPEG's YCbCr and most imaging libraries define grey.
    public func luma() -> [Float] {
        let n = width * height
        if channels == 1 { return samples.map { Float($0) / 255 } }
        return (0..<n).map { p in
            let (r, g, b) = (Float(samples[3 * p]), Float(samples[3 * p + 1]), Float(samples[3 * p + 2]))
            return (0.299 * r + 0.587 * g + 0.114 * b) / 255
        }
    }
}

/// Largest image a decoder accepts (pixels), so a hostile header cannot demand gigabytes.
let maximumDecodedPixels = 1 << 27
