import Tensor
import Testing

struct ElementwiseAndLayoutTests {
    @Test func broadcastingFollowsNumPyRules() {
        let a = Tensor(shape: [2, 1, 3], scalars: [1.0, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [4, 1], scalars: [10.0, 20, 30, 40])
        let c = a + b
        #expect(c.shape == [2, 4, 3])
        #expect(c[1, 2, 0] == 4 + 30)
        #expect(c[0, 3, 2] == 3 + 40)
        let scalar = Tensor(shape: [], scalars: [2.0])
        #expect((a * scalar).doubles == a.doubles.map { $0 * 2 })
    }

    /// `+=` is copy-on-write: in place (same storage, broadcasting the right side) when nothing
    /// else holds the left side's storage, a new tensor otherwise.
    @Test func addAssignIsCopyOnWrite() {
        let bias = Tensor(shape: [1, 3, 1, 1], scalars: [1.0, 2.0, 3.0])
        var a = Tensor(repeating: 0.5, shape: [2, 3, 2, 2], dtype: .float64)
        let start = a.pointer(Double.self)
        a += bias
        #expect(a.pointer(Double.self) == start)
        let perChannel: [Double] = (0..<24).map { (i: Int) -> Double in 0.5 + Double((i / 4) % 3 + 1) }
        #expect(a.doubles == perChannel)
        a += a * 2
        #expect(a.pointer(Double.self) == start)
        #expect(a[1, 2, 1, 0] == 10.5)

        let held = a
        a += bias
        #expect(a.pointer(Double.self) != start, "a shared storage is copied")
        #expect(held[1, 2, 1, 0] == 10.5 && a[1, 2, 1, 0] == 13.5)
        var view = held.reshaped([24])
        view += Tensor(scalar: 1, dtype: .float64)
        #expect(held[0, 0, 0, 0] == 4.5 && view[0] == 5.5)

        var f32 = Tensor(zeros: [5, 4])
        f32 += Tensor(shape: [4], scalars: [Float(1), 2, 3, 4])
        let rows: [Float] = Array([[Float]](repeating: [1, 2, 3, 4], count: 5).joined())
        #expect(f32.floats == rows)
    }

    @Test func reductionsOverAxes() {
        let x = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Double.init), dtype: .float64)
        #expect(x.sum().scalarValue == 66)
        #expect(x.sum(axes: [1]).doubles == [6, 9, 24, 27])
        #expect(x.sum(axes: [0, 2], keepingDimensions: true).shape == [1, 3, 1])
        #expect(x.sum(axes: [0, 2]).doubles == [14, 22, 30])
        #expect(x.mean(axes: [-1]).doubles == [0.5, 2.5, 4.5, 6.5, 8.5, 10.5])
        #expect(x.max(axes: [1]).doubles == [4, 5, 10, 11])
        #expect(x.summed(toShape: [3, 1]).doubles == [14, 22, 30])
    }

    @Test func permuteSliceEmbedConcatRoll() {
        let x = Tensor(shape: [2, 3], scalars: [1.0, 2, 3, 4, 5, 6])
        #expect(x.permuted([1, 0]).doubles == [1, 4, 2, 5, 3, 6])
        #expect(x.sliced(axis: 1, start: 1, count: 2).doubles == [2, 3, 5, 6])
        #expect(x.sliced(axis: 1, start: 1, count: 2).embedded(in: [2, 4], at: [0, 2]).doubles == [0, 0, 2, 3, 0, 0, 5, 6])
        #expect(Tensor.concatenate([x, x * 10], axis: 0).doubles == [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60])
        #expect(x.rolled(shifts: [1], axes: [1]).doubles == [3, 1, 2, 6, 4, 5])
        #expect(x.rolled(shifts: [-1, 1], axes: [1, 0]).doubles == [5, 6, 4, 2, 3, 1])
        #expect(x.gathered(flatIndices: [5, 0, 0], shape: [3]).doubles == [6, 1, 1])
        #expect(Tensor(shape: [3], scalars: [1.0, 2, 3]).scatterAdded(flatIndices: [1, 1, 0], shape: [2]).doubles == [3, 3])
    }

    @Test func softmaxRowsSumToOneAndSurviveLargeLogits() {
        let x = Tensor(shape: [2, 3], scalars: [1000.0, 1001, 1002, -5, 0, 5], dtype: .float32)
        let p = x.softmax()
        #expect(p.isFinite)
        #expect(abs(p.sum(axes: [1]).doubles[0] - 1) < 1e-6)
        #expect(abs(p[0, 2] - 0.665_240_955_8) < 1e-6)
    }

    @Test func fusedSoftmaxPullbackIsTheCompositeFormula() {
        // y ⊙ (g − Σ g⊙y) per row, for row lengths below, at and above the eight-lane blocks.
        var r = KernelRandom(seed: 8)
        for n in [1, 5, 8, 16, 65] {
            for dtype in [DType.float64, .float32] {
                let y = r.tensor([3, 4, n], dtype: dtype).softmax(), g = r.tensor([3, 4, n], dtype: dtype)
                let fused = g.softmaxPullback(output: y).doubles
                let composite = ((g - (g * y).sum(axes: [-1], keepingDimensions: true)) * y).doubles
                let tolerance = dtype == .float64 ? 1e-15 : 1e-6
                #expect(maxAbsDifference(fused, composite) <= tolerance, "n \(n), \(dtype)")
            }
        }
    }

    @Test func fusedSoftmaxPullbackAdjointIsTheCompositeFormula() {
        // With s = Σ g⊙y and t = Σ h⊙y per row: ∂/∂g = y ⊙ (h − t), ∂/∂y = h ⊙ (g − s) − g·t.
        var r = KernelRandom(seed: 9)
        for n in [1, 7, 8, 24] {
            for dtype in [DType.float64, .float32] {
                let y = r.tensor([2, 3, n], dtype: dtype).softmax()
                let (g, h) = (r.tensor([2, 3, n], dtype: dtype), r.tensor([2, 3, n], dtype: dtype))
                let fused = h.softmaxPullbackAdjoint(gradient: g, output: y)
                let t = (h * y).sum(axes: [-1], keepingDimensions: true), s = (g * y).sum(axes: [-1], keepingDimensions: true)
                let tolerance = dtype == .float64 ? 1e-15 : 1e-6
                #expect(maxAbsDifference(fused.gradient.doubles, ((h - t) * y).doubles) <= tolerance, "n \(n), \(dtype)")
                #expect(maxAbsDifference(fused.output.doubles, (h * (g - s) - g * t).doubles) <= tolerance, "n \(n), \(dtype)")
            }
        }
    }

    @Test func geluCurvatureGateIsGTimesPhiTimesTwoMinusXSquared() {
        var r = KernelRandom(seed: 10)
        for dtype in [DType.float64, .float32] {
            let x = r.tensor([4, 33], dtype: dtype) * 4, g = r.tensor([4, 33], dtype: dtype)
            let density = (x * x * -0.5).exp() * 0.398_942_280_401_432_7
            let expected = (g * density * ((x * x) * -1 + 2)).doubles
            #expect(maxAbsDifference(g.timesGELUCurvature(at: x).doubles, expected) <= (dtype == .float64 ? 1e-15 : 1e-6), "\(dtype)")
        }
    }

    @Test func activationsMatchTheirDefinitions() {
        let x = Tensor(shape: [5], scalars: [-2.0, -0.5, 0, 0.5, 2], dtype: .float64)
        #expect(x.relu().doubles == [0, 0, 0, 0.5, 2])
        let g = Tensor(shape: [5], scalars: [1.0, 2, 3, 4, 5], dtype: .float64)
        #expect(g.gated(byPositive: x).doubles == [0, 0, 0, 4, 5])
        #expect(g.gated(byPositive: x).doubles == (g * x.positiveMask()).doubles)
        let gelu = x.gelu().doubles
        // GELU(2) = 2·Φ(2) = 2 · 0.977249868051821
        #expect(abs(gelu[4] - 1.954_499_736_103_642) < 1e-14)
        #expect(abs(x.tanh().doubles[3] - 0.462_117_157_260_009_8) < 1e-15)
    }

    @Test func maxPoolIndicesPickTheFirstMaximumAndIgnorePadding() {
        let x = Tensor(shape: [1, 1, 2, 3], scalars: [-1.0, -3, -2, -4, -1, -5])
        let (indices, shape) = x.maxPool2dIndices(.init(kernel: 2, stride: 2, padding: 1))
        #expect(shape == [1, 1, 2, 2])
        #expect(indices == [0, 2, 3, 4])
        let avg = Tensor(shape: [1, 1, 2, 2], scalars: [1.0, 2, 3, 4]).avgPool2d(.init(kernel: 2))
        #expect(avg.doubles == [2.5])
    }

    @Test func halvingMaxPoolPicksTheFirstMaximumAndLetsNaNWin() {
        // Values 0–2 (many ties) with NaNs, Float32 and Float64: the branch-free 2×2 kernel must
        // pick what a plain scan in window order (first maximum; NaN wins, first NaN) picks.
        var r = KernelRandom(seed: 5)
        for dtype in [DType.float32, .float64] {
            var values = r.tensor([2, 3, 6, 8], dtype: .float64).doubles.map { ($0 * 3).rounded(.down) }
            for i in stride(from: 7, to: values.count, by: 13) { values[i] = .nan }
            let x = Tensor(shape: [2, 3, 6, 8], scalars: values).converted(to: dtype)
            let (indices, shape) = x.maxPool2dIndices(.init(kernel: 2, stride: 2))
            #expect(shape == [2, 3, 3, 4])
            var expected: [Int] = []
            for plane in 0..<6 {
                for oh in 0..<3 {
                    for ow in 0..<4 {
                        let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { plane * 48 + (2 * oh + $0.0) * 8 + 2 * ow + $0.1 }
                        expected.append(window.first { values[$0].isNaN } ?? window.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) }!)
                    }
                }
            }
            #expect(indices == expected, "\(dtype)")
        }
    }

    @Test func elementwiseResultsDoNotDependOnThreadCount() {
        var r = KernelRandom(seed: 31)
        let a = r.tensor([64, 33, 17], dtype: .float32)
        let b = r.tensor([33, 1], dtype: .float32)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = ((a * b).exp() + a).sum(axes: [2]).floats
        Parallel.threads = 2
        let two = ((a * b).exp() + a).sum(axes: [2]).floats
        #expect(one == two)
    }
}
