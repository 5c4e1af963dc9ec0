import CKernels
import Foundation
import Tensor
import Testing

/// The CKernels builds (x86-64 baseline, and AVX2+FMA where the CPU has it) each against Double
/// references: GELU and its slope, and row softmax. FloatMathTests checks the same kernels as
/// the tensors run them (the build this CPU picks).
struct FloatKernelTests {
    /// The builds this machine can run.
    static var builds: [Int32] { sharp_kernels_use_avx2() == 1 ? [0, 1] : [0] }

    static func gelu(_ x: [Float], build: Int32) -> (value: [Float], slope: [Float]) {
        var value = [Float](repeating: 0, count: x.count), slope = value
        value.withUnsafeMutableBufferPointer { v in
            slope.withUnsafeMutableBufferPointer { s in sharp_gelu_f32_build(build, x, v.baseAddress, s.baseAddress, x.count) }
        }
        return (value, slope)
    }

    @Test func everyBuildsGELUAndSlopeMatchDouble() {
        let x = FloatMathTests.grid(from: -9, to: 9, count: 300_001) + [0, -0.0, 1e-30, -1e-30, 0.75 * 2.0.squareRoot().float, 5.656_854]
        for build in Self.builds {
            let (value, slope) = Self.gelu(x, build: build)
            // Value only and slope only are the same numbers as the pair.
            var alone = [Float](repeating: 0, count: x.count), slopeAlone = alone
            alone.withUnsafeMutableBufferPointer { sharp_gelu_f32_build(build, x, $0.baseAddress, nil, x.count) }
            slopeAlone.withUnsafeMutableBufferPointer { sharp_gelu_f32_build(build, x, nil, $0.baseAddress, x.count) }
            #expect(alone == value && slopeAlone == slope, "build \(build)")
            for i in x.indices {
                let v = Double(x[i])
                let phi = (1 + Foundation.erf(v / 2.0.squareRoot())) / 2
                let exactValue = v * phi
                let exactSlope = phi + v * Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
                // Relative, plus about one Float epsilon absolute: for x ≪ 0, 1 + erf(x/√2) cancels.
                if abs(Double(value[i]) - exactValue) > 1e-6 * abs(exactValue) + 2e-7
                    || abs(Double(slope[i]) - exactSlope) > 1e-6 * abs(exactSlope) + 2e-7
                {
                    Issue.record("build \(build): GELU at \(x[i]) is \(value[i]) vs \(exactValue), slope \(slope[i]) vs \(exactSlope)")
                    break
                }
            }
            let edges = Self.gelu([.nan, .infinity, 100, -100], build: build)
            #expect(edges.value[0].isNaN && edges.slope[0].isNaN)
            #expect(Array(edges.value[1...]) == [.infinity, 100, 0], "build \(build): \(edges.value)")
            #expect(Array(edges.slope[2...]) == [1, 0], "build \(build): \(edges.slope)")
        }
    }

    @Test func theBuildsAgreeToAnUlpOrTwo() {
        guard Self.builds.count == 2 else { return }
        let x = FloatMathTests.grid(from: -6, to: 6, count: 100_001)
        let (a, b) = (Self.gelu(x, build: 0), Self.gelu(x, build: 1))
        for i in x.indices where abs(a.value[i] - b.value[i]) > 2 * max(a.value[i].magnitude.ulp, Float.ulpOfOne * 0.5)
            || abs(a.slope[i] - b.slope[i]) > 2 * max(a.slope[i].magnitude.ulp, Float.ulpOfOne * 0.5)
        {
            Issue.record("at \(x[i]): baseline \(a.value[i]), \(a.slope[i]); AVX2 \(b.value[i]), \(b.slope[i])")
            return
        }
    }

    @Test func everyBuildsSoftmaxMatchesDouble() {
        var random = KernelRandom(seed: 12)
        for n in [1, 3, 8, 16, 65, 1000] {
            let rows = 7
            var x = (0..<(rows * n)).map { _ in Float(30 * random.symmetric()) }
            x[0] = 80  // large logits: the maximum is subtracted first
            if n > 1 { x[n + 1] = -.infinity }  // e^(−∞) = 0
            for build in Self.builds {
                var y = [Float](repeating: 0, count: x.count)
                y.withUnsafeMutableBufferPointer { sharp_softmax_rows_f32_build(build, x, $0.baseAddress, rows, n) }
                for row in 0..<rows {
                    let s = x[(row * n)..<((row + 1) * n)].map(Double.init)
                    let m = s.max()!
                    let e = s.map { Foundation.exp($0 - m) }
                    let total = e.reduce(0, +)
                    for j in 0..<n {
                        let exact = e[j] / total
                        let got = Double(y[row * n + j])
                        // A few ulps, plus the rounding of x − max in Float (half an ulp of |x − max|,
                        // which e^(·) turns into that much relative error); results below the smallest
                        // normal Float are flushed to 0 (FloatMath: no subnormal results).
                        let tolerance = (4e-7 + abs(s[j] - m) * 6e-8) * exact + 2 * Double(Float.leastNormalMagnitude)
                        if abs(got - exact) > tolerance {
                            Issue.record("build \(build), n \(n), row \(row), j \(j): \(got) vs \(exact)")
                            return
                        }
                    }
                }
                // The tensor op runs the same kernel for Float (this CPU's build).
                if build == sharp_kernels_use_avx2() {
                    let t = Tensor(shape: [rows, n], scalars: x, dtype: .float32).softmax().floats
                    #expect(t == y, "n \(n)")
                }
            }
        }
        // A NaN in a row makes that row NaN, and only that row.
        for build in Self.builds {
            let x: [Float] = [1, .nan, 2, 0, 1, 2]
            var y = [Float](repeating: 0, count: 6)
            y.withUnsafeMutableBufferPointer { sharp_softmax_rows_f32_build(build, x, $0.baseAddress, 2, 3) }
            #expect(y[0..<3].allSatisfy(\.isNaN) && y[3..<6].allSatisfy { $0.isFinite })
        }
    }
}

extension Double {
    fileprivate var float: Float { Float(self) }
}
