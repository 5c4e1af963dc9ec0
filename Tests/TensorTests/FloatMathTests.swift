import Foundation
import Tensor
import Testing

/// Float32 `exp` and `erf` (FloatMath: vectorisable polynomial versions) against Double libm,
/// through the tensor kernels that use them, over dense grids and at the special values.
struct FloatMathTests {
    /// Worst error of `computed` against `reference` (exact in Double), in ulps of the reference
    /// rounded to Float.
    static func worstUlps(_ computed: [Float], _ reference: [Double]) -> (Double, Int) {
        var (worst, at) = (0.0, 0)
        for i in computed.indices {
            let ulp = Double(Float(reference[i]).magnitude.ulp)
            let error = abs(Double(computed[i]) - reference[i]) / ulp
            if error > worst { (worst, at) = (error, i) }
        }
        return (worst, at)
    }

    static func grid(from low: Float, to high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    @Test func expIsWithinTwoUlpsOverTheNormalRange() {
        let x = Self.grid(from: -87.3, to: 88.7, count: 1_000_003) + [0, -0.0, 1e-30, -1e-30, 0.5, -0.5, 1, -1]
        let computed = Tensor(shape: [x.count], scalars: x, dtype: .float32).exp().floats
        let (worst, at) = Self.worstUlps(computed, x.map { Foundation.exp(Double($0)) })
        #expect(worst <= 2, "exp(\(x[at])) is \(worst) ulp off")
    }

    @Test func expHandlesTheEdgesOfFloat() {
        let x: [Float] = [.nan, .infinity, -.infinity, 88.8, 100, -88, -1000, 0]
        let y = Tensor(shape: [x.count], scalars: x, dtype: .float32).exp().floats
        #expect(y[0].isNaN)
        #expect(Array(y[1...]) == [.infinity, 0, .infinity, .infinity, 0, 0, 1])
    }

    @Test func erfIsWithinThreeUlps() {
        let x = Self.grid(from: -4.5, to: 4.5, count: 1_000_003) + [1e-30, -1e-30, 1e-8, 0.75, -0.75, 0.749_999_9, 3.9, 4, 6]
        let computed = Tensor(shape: [x.count], scalars: x, dtype: .float32).erf().floats
        let (worst, at) = Self.worstUlps(computed, x.map { Foundation.erf(Double($0)) })
        #expect(worst <= 3, "erf(\(x[at])) is \(worst) ulp off")
    }

    @Test func erfIsOddAndHasItsLimits() {
        let x: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 10, -10]
        let y = Tensor(shape: [x.count], scalars: x, dtype: .float32).erf().floats
        #expect(y[0].isNaN)
        #expect(Array(y[1...]) == [1, -1, 0, 0, 1, -1])
        #expect(y[4].sign == .minus)
        let grid = Self.grid(from: 0, to: 5, count: 10_001)
        let positive = Tensor(shape: [grid.count], scalars: grid, dtype: .float32).erf().floats
        let negative = Tensor(shape: [grid.count], scalars: grid.map { -$0 }, dtype: .float32).erf().floats
        #expect(zip(positive, negative).allSatisfy { $0 == -$1 })
    }

    @Test func geluAndItsDerivativeMatchDouble() {
        let x = Self.grid(from: -8, to: 8, count: 200_001)
        let t = Tensor(shape: [x.count], scalars: x, dtype: .float32)
        let gelu = t.gelu().floats, slope = t.geluDerivative().floats
        // The fused kernel (value and slope sharing one exp) is held to the same standard.
        let fused = t.geluWithDerivative()
        let (fusedValue, fusedSlope) = (fused.value.floats, fused.derivative.floats)
        let double = Tensor(shape: [x.count], scalars: x.map(Double.init), dtype: .float64)
        #expect(double.geluWithDerivative().value.doubles == double.gelu().doubles)
        #expect(double.geluWithDerivative().derivative.doubles == double.geluDerivative().doubles)
        for i in x.indices {
            let v = Double(x[i])
            let phi = (1 + Foundation.erf(v / 2.0.squareRoot())) / 2
            let exactGELU = v * phi
            let exactSlope = phi + v * Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
            // Relative plus an absolute floor of about one Float epsilon: for x ≪ 0, 1 + erf(x/√2)
            // cancels in Float (with libm's erff too), so GELU's tiny values are lost there.
            for (value, slope) in [(gelu[i], slope[i]), (fusedValue[i], fusedSlope[i])]
            where abs(Double(value) - exactGELU) > 1e-6 * abs(exactGELU) + 2e-7 || abs(Double(slope) - exactSlope) > 1e-6 * abs(exactSlope) + 2e-7 {
                Issue.record("GELU at \(x[i]): \(value) vs \(exactGELU), slope \(slope) vs \(exactSlope)")
                return
            }
        }
    }
}
