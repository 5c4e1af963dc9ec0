import Autodiff
import Tensor
import Testing

/// The fused normalisation's outputs besides y: the group means and biased variances, and the
/// same y as the composite formula, for both fused layouts and in Float32 as well.
struct NormalizationStatisticsTests {
    static func composite(_ x: Tensor, axes: [Int], epsilon: Double) -> (y: Tensor, mean: Tensor, variance: Tensor) {
        let mean = x.mean(axes: axes, keepingDimensions: true)
        let centered = x - mean
        let variance = centered.squared().mean(axes: axes, keepingDimensions: true)
        return (centered / (variance + epsilon).sqrt(), mean, variance)
    }

    @Test(arguments: [([4, 3, 5, 2], [0, 2, 3]), ([6, 7], [-1]), ([2, 3, 9], [2])])
    func statisticsAndOutputMatchTheCompositeFormula(shape: [Int], axes: [Int]) {
        var r = TestRandom(seed: 61)
        for dtype in [DType.float64, .float32] {
            let x = r.tensor(shape, scale: 3, offset: 2, dtype: dtype)
            let fused = Var(x).normalizedWithStatistics(axes: axes, epsilon: 1e-5)
            let reference = Self.composite(x, axes: axes, epsilon: 1e-5)
            let tolerance = dtype == .float64 ? 1e-13 : 2e-6
            #expect(fused.mean.shape == reference.mean.shape && fused.variance.shape == reference.variance.shape)
            #expect(maxRelativeDifference(fused.mean.doubles, reference.mean.doubles) < tolerance, "\(dtype) mean")
            #expect(maxRelativeDifference(fused.variance.doubles, reference.variance.doubles) < tolerance, "\(dtype) variance")
            #expect(maxAbsoluteDifference(fused.output.value.doubles, reference.y.doubles) < tolerance * 10, "\(dtype) output")
        }
    }
}

private func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1) / Swift.max(abs($1.1), 1e-300)) }
}

private func maxAbsoluteDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}
