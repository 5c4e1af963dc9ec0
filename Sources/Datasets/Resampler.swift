/// Resizes greyscale images: area averaging along an axis that shrinks (every source pixel
/// counts in proportion to its overlap, so no aliasing), bilinear interpolation with
/// half-pixel centres along an axis that grows (PyTorch `align_corners=False`, PIL, OpenCV).
public enum Resampler {
    /// For each output index along one axis: the first source index and the source weights.
    static func weights(from source: Int, to target: Int) -> [(start: Int, weights: [Float])] {
        precondition(source > 0 && target > 0, "Resampler: empty axis")
        if source == target { return (0..<target).map { ($0, [1]) } }
        if target < source {
            let scale = Double(source) / Double(target)
            return (0..<target).map { o in
                let (low, high) = (Double(o) * scale, Double(o + 1) * scale)
                let first = Int(low), last = min(Int(high.rounded(.up)) - 1, source - 1)
                let w = (first...last).map { k in Float((min(Double(k + 1), high) - max(Double(k), low)) / scale) }
                return (first, w)
            }
        }
        return (0..<target).map { o in
            let position = min(max((Double(o) + 0.5) * Double(source) / Double(target) - 0.5, 0), Double(source - 1))
            let first = min(Int(position), source - 1)
            let f = Float(position - Double(first))
            return first + 1 < source ? (first, [1 - f, f]) : (first, [1])
        }
    }

    /// `pixels` (`width × height`, row-major) resized to `targetWidth × targetHeight`.
    public static func resize(_ pixels: [Float], width: Int, height: Int, targetWidth: Int, targetHeight: Int)
        -> [Float]
    {
        precondition(pixels.count == width * height, "Resampler.resize: \(pixels.count) pixels for \(width)×\(height)")
        if width == targetWidth && height == targetHeight { return pixels }
        let columns = weights(from: width, to: targetWidth), rows = weights(from: height, to: targetHeight)
        var horizontal = [Float](repeating: 0, count: targetWidth * height)
        for y in 0..<height {
            for (x, c) in columns.enumerated() {
                var sum: Float = 0
                for (t, w) in c.weights.enumerated() { sum += w * pixels[y * width + c.start + t] }
                horizontal[y * targetWidth + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: targetWidth * targetHeight)
        for (y, r) in rows.enumerated() {
            for (t, w) in r.weights.enumerated() {
                let row = (r.start + t) * targetWidth
                for x in 0..<targetWidth { out[y * targetWidth + x] += w * horizontal[row + x] }
            }
        }
        return out
    }
}
