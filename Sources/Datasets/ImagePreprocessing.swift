import Tensor

/// How an image becomes one model input when the study's default does not fit: three channels
/// instead of one, torchvision's resize-then-centre-crop, and mean/std normalisation
/// (docs/datasets.md §Preprocessing). A `DatasetSpec` without it gets the default: one luma
/// channel, stretched to `size × size`, values in [0, 1]. Everything here is recorded in the
/// spec and changes the pixels, so the dataset fingerprint covers it.
public struct ImagePreprocessing: Codable, Sendable, Equatable {
    /// Per-channel `(x − mean) / std`, applied after the [0, 1] clamp (torchvision's `Normalize`).
    public struct Normalization: Codable, Sendable, Equatable {
        /// One mean per channel.
        public var mean: [Double]
        /// One standard deviation per channel, each positive.
        public var std: [Double]
        /// Names the statistics.
        public init(mean: [Double], std: [Double]) {
            self.mean = mean
            self.std = std
        }

        /// ImageNet's statistics, what torchvision's pretrained weights expect.
        public static let imagenet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    }

    /// 1: BT.601 luma; 3: RGB, a grey image replicated into all three.
    public var channels: Int
    /// Resize the shorter side to this many pixels keeping the aspect ratio, then centre-crop
    /// `size × size` (torchvision `Resize(s)` + `CenterCrop(size)`); nil: stretch to `size × size`
    /// (`Resize((size, size))`).
    public var resizeShorter: Int?
    /// Normalisation, or nil for values in [0, 1].
    public var normalization: Normalization?

    /// A preprocessing; `validate(size:)` checks it against the crop size.
    public init(channels: Int = 1, resizeShorter: Int? = nil, normalization: Normalization? = nil) {
        self.channels = channels
        self.resizeShorter = resizeShorter
        self.normalization = normalization
    }

    /// The study's own: one luma channel, stretched, in [0, 1].
    public static let standard = ImagePreprocessing()

    /// Checks the values against the output size `size`.
    public func validate(size: Int) throws(DatasetError) {
        guard channels == 1 || channels == 3 else { throw .invalidSpec("channels must be 1 or 3, not \(channels)") }
        if let shorter = resizeShorter {
            guard shorter >= size, shorter <= 8192 else {
                throw .invalidSpec("resize shorter=\(shorter) must lie between the crop size \(size) and 8192")
            }
        }
        if let n = normalization {
            guard n.mean.count == channels, n.std.count == channels else {
                throw .invalidSpec("normalization needs \(channels) mean and std value(s), got \(n.mean.count) and \(n.std.count)")
            }
            guard n.mean.allSatisfy(\.isFinite), n.std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw .invalidSpec("normalization means must be finite and standard deviations positive")
            }
        }
    }

    /// One image as `channels × size × size` floats, from a source of `width × height` pixels.
    /// `luma` gives the source's luma in [0, 1] (the default path's exact arithmetic); `rgb` its
    /// three planes in [0, 1], or nil for a grey source.
    func apply(width: Int, height: Int, size: Int, luma: () -> [Float], rgb: () -> [[Float]]?) -> [Float] {
        let planes: [[Float]]
        if channels == 1 {
            planes = [fit(luma(), width: width, height: height, size: size)]
        } else if let colour = rgb() {
            planes = colour.map { fit($0, width: width, height: height, size: size) }
        } else {
            planes = Array(repeating: fit(luma(), width: width, height: height, size: size), count: 3)
        }
        var out: [Float] = []
        out.reserveCapacity(channels * size * size)
        for (c, plane) in planes.enumerated() {
            if let n = normalization {
                let (mean, std) = (Float(n.mean[c]), Float(n.std[c]))
                out.append(contentsOf: plane.map { ($0 - mean) / std })
            } else {
                out.append(contentsOf: plane)
            }
        }
        return out
    }

    /// One plane resized (and cropped) to `size × size`, clamped to [0, 1].
    private func fit(_ plane: [Float], width: Int, height: Int, size: Int) -> [Float] {
        guard let shorter = resizeShorter else {
            return Resampler.resize(plane, width: width, height: height, targetWidth: size, targetHeight: size).map {
                min(max($0, 0), 1)
            }
        }
        let (w, h) = Self.shorterSide(width: width, height: height, to: shorter)
        let resized = Resampler.resize(plane, width: width, height: height, targetWidth: w, targetHeight: h)
        let (top, left) = Self.centreCropOrigin(width: w, height: h, size: size)
        var out = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size { out[y * size + x] = min(max(resized[(top + y) * w + left + x], 0), 1) }
        }
        return out
    }

    /// The size after resizing the shorter side to `shorter`: the longer side scales by the same
    /// factor and is truncated, as torchvision's `Resize(int)` does.
    static func shorterSide(width: Int, height: Int, to shorter: Int) -> (width: Int, height: Int) {
        if width <= height { return (shorter, max(shorter, Int(Double(shorter) * Double(height) / Double(width)))) }
        return (max(shorter, Int(Double(shorter) * Double(width) / Double(height))), shorter)
    }

    /// The top-left corner of a centred `size × size` crop, rounded half to even as torchvision's
    /// `CenterCrop` does (Python's `round`).
    static func centreCropOrigin(width: Int, height: Int, size: Int) -> (top: Int, left: Int) {
        (Int((Double(height - size) / 2).rounded(.toNearestOrEven)), Int((Double(width - size) / 2).rounded(.toNearestOrEven)))
    }

    /// Grey images `[N, 1, h, w]` (generated ones) through this preprocessing: `[N, channels, size, size]`.
    func apply(toGrey images: Tensor, size: Int) -> Tensor {
        let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let source = images.pointer(Float.self)
        let out = Tensor(zeros: [n, channels, size, size], dtype: .float32)
        let target = out.pointer(Float.self)
        let stride = channels * size * size
        Parallel.forEachChunk(n, costPerItem: 16 * stride) { range in
            for i in range {
                let plane = Array(UnsafeBufferPointer(start: source + i * h * w, count: h * w))
                let shaped = apply(width: w, height: h, size: size, luma: { plane }, rgb: { nil })
                shaped.withUnsafeBufferPointer { (target + i * stride).update(from: $0.baseAddress!, count: stride) }
            }
        }
        return out
    }
}
