import Foundation

/// Turns an echo-amplitude map into a B-mode-like image: each pixel scatters with a random
/// complex Gaussian phase and amplitude, the scanner's point-spread function low-passes the
/// field, the detected magnitude is Rayleigh-distributed speckle, and log compression maps it
/// into [0, 1].
enum Speckle {
    /// Lateral and axial standard deviation of the point-spread function, in pixels at 64×64.
    /// Lateral resolution is poorer than axial, so speckle grains are wider than tall.
    static let lateralSigma: Float = 1.15, axialSigma: Float = 0.65
    /// Standard deviation of the display low-pass on the detected intensity, pixels at 64×64.
    static let displaySigma: Float = 0.6

    /// The `size × size` display image in [0, 1].
    /// - Parameters:
    ///   - amplitude: echo amplitude per pixel (reflectivity × attenuation), row-major.
    ///   - noise: `2·size²` standard normals: real and imaginary scatterer parts per pixel.
    ///   - gainDecibels: display gain; `dynamicRange`: decibels mapped onto [0, 1].
    static func image(
        amplitude: [Float], noise: [Float], size: Int, gainDecibels: Double, dynamicRange: Double
    ) -> [Float] {
        let n = size * size
        precondition(amplitude.count == n && noise.count == 2 * n, "Speckle.image: buffer sizes")
        var re = [Float](repeating: 0, count: n), im = [Float](repeating: 0, count: n)
        for k in 0..<n {
            re[k] = amplitude[k] * noise[2 * k]
            im[k] = amplitude[k] * noise[2 * k + 1]
        }
        let scale = Float(size) / 64
        let lateral = kernel(sigma: lateralSigma * scale), axial = kernel(sigma: axialSigma * scale)
        blur(&re, size: size, kernel: lateral, horizontal: true)
        blur(&im, size: size, kernel: lateral, horizontal: true)
        blur(&re, size: size, kernel: axial, horizontal: false)
        blur(&im, size: size, kernel: axial, horizontal: false)
        // Reference amplitude: gland (≈0.9) at mid-depth lands near 0.55 of the display range.
        let reference = Float(8.0 * pow(10, -gainDecibels / 20))
        let floor: Float = 1e-4  // electronic noise keeps anechoic regions off exact black
        let range = Float(dynamicRange)
        // Detected intensity, then a light low-pass as a scanner's scan conversion and display
        // interpolation do: grains stay visible but single-pixel dropouts to black do not.
        var intensity = (0..<n).map { k in re[k] * re[k] + im[k] * im[k] + floor }
        let smoothing = averagingKernel(sigma: displaySigma * scale)
        blur(&intensity, size: size, kernel: smoothing, horizontal: true)
        blur(&intensity, size: size, kernel: smoothing, horizontal: false)
        // 20·log10(m / ref) / range = (10 / range)·log10(m² / ref²): no square root needed.
        let (gain, inverseReference) = (10 / range, 1 / (reference * reference))
        return intensity.map { min(max(1 + gain * log10($0 * inverseReference), 0), 1) }
    }

    /// A normalised Gaussian kernel whose squared weights sum to 1, so white noise keeps unit
    /// variance after filtering (the speckle statistics do not depend on σ).
    static func kernel(sigma: Float) -> [Float] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let weights = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let energy = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return weights.map { $0 / energy }
    }

    /// A Gaussian kernel whose weights sum to 1 (a local average: keeps the mean intensity).
    static func averagingKernel(sigma: Float) -> [Float] {
        let weights = kernel(sigma: sigma)
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }

    /// Separable convolution along one axis with edge pixels repeated. Rows are copied into a
    /// padded buffer (horizontal) or whole rows are accumulated (vertical), so the inner loops
    /// have no bounds clamping and vectorise.
    static func blur(_ field: inout [Float], size: Int, kernel: [Float], horizontal: Bool) {
        let radius = kernel.count / 2
        if horizontal {
            var padded = [Float](repeating: 0, count: size + 2 * radius)
            for row in 0..<size {
                for t in 0..<padded.count { padded[t] = field[row * size + min(max(t - radius, 0), size - 1)] }
                padded.withUnsafeBufferPointer { p in
                    field.withUnsafeMutableBufferPointer { out in
                        for b in 0..<size {
                            var sum: Float = 0
                            for t in 0..<kernel.count { sum += kernel[t] * p[b + t] }
                            out[row * size + b] = sum
                        }
                    }
                }
            }
        } else {
            let source = field
            source.withUnsafeBufferPointer { src in
                field.withUnsafeMutableBufferPointer { out in
                    for row in 0..<size {
                        let o = out.baseAddress! + row * size
                        o.update(repeating: 0, count: size)
                        for t in 0..<kernel.count {
                            let w = kernel[t]
                            let s = src.baseAddress! + min(max(row + t - radius, 0), size - 1) * size
                            for c in 0..<size { o[c] += w * s[c] }
                        }
                    }
                }
            }
        }
    }
}
