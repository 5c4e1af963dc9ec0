import Tensor
import Testing

struct ConvolutionTests {
    struct Setup: Sendable, CustomTestStringConvertible {
        let input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), groups: Int
        var testDescription: String { "x\(input) w\(weight) s\(stride) p\(padding) g\(groups)" }
    }

    static let setups = [
        Setup(input: [2, 3, 9, 8], weight: [4, 3, 3, 3], stride: (1, 1), padding: (1, 1), groups: 1),
        Setup(input: [3, 4, 7, 7], weight: [6, 2, 3, 3], stride: (2, 2), padding: (1, 1), groups: 2),
        Setup(input: [1, 2, 6, 9], weight: [3, 2, 5, 3], stride: (1, 2), padding: (2, 0), groups: 1),
        Setup(input: [2, 4, 5, 5], weight: [8, 4, 1, 1], stride: (1, 1), padding: (0, 0), groups: 1),
        Setup(input: [2, 4, 6, 6], weight: [4, 1, 3, 3], stride: (1, 1), padding: (1, 1), groups: 4),
        Setup(input: [1, 3, 16, 16], weight: [5, 3, 8, 8], stride: (8, 8), padding: (0, 0), groups: 1),
        Setup(input: [5, 2, 4, 4], weight: [3, 2, 2, 2], stride: (2, 2), padding: (0, 0), groups: 1),
        // Stride 1, one group: Float32 takes the direct kernels (FlatConvolution.swift).
        Setup(input: [3, 1, 10, 13], weight: [5, 1, 3, 3], stride: (1, 1), padding: (1, 1), groups: 1),
        Setup(input: [2, 5, 7, 19], weight: [9, 5, 3, 3], stride: (1, 1), padding: (0, 2), groups: 1),
        Setup(input: [2, 3, 6, 6], weight: [10, 3, 2, 2], stride: (1, 1), padding: (0, 0), groups: 1),
        Setup(input: [4, 2, 5, 40], weight: [3, 2, 5, 3], stride: (1, 1), padding: (2, 1), groups: 1),
        Setup(input: [2, 16, 8, 8], weight: [16, 16, 3, 3], stride: (1, 1), padding: (1, 1), groups: 1),
        // Strided and overlapping: the direct kernels over phase planes.
        Setup(input: [3, 4, 9, 11], weight: [6, 4, 3, 3], stride: (2, 2), padding: (1, 1), groups: 1),
        Setup(input: [2, 3, 8, 8], weight: [5, 3, 3, 3], stride: (2, 1), padding: (1, 0), groups: 1),
        Setup(input: [2, 2, 7, 7], weight: [4, 2, 4, 4], stride: (3, 2), padding: (2, 1), groups: 1),
        Setup(input: [2, 3, 15, 13], weight: [4, 3, 7, 7], stride: (2, 2), padding: (3, 3), groups: 1),
        Setup(input: [2, 2, 3, 1], weight: [3, 2, 3, 3], stride: (2, 2), padding: (1, 1), groups: 1),
    ]

    /// Every face in Float32 (the direct kernels where they apply, im2col + GEMM elsewhere)
    /// against the same face in Float64, relative to the size of the sums.
    @Test(arguments: setups)
    func float32FacesMatchFloat64(_ s: Setup) {
        var r = KernelRandom(seed: 25)
        let (x, w) = (r.tensor(s.input), r.tensor(s.weight))
        let options = ConvolutionOptions(stride: s.stride, padding: s.padding, groups: s.groups)
        let y = x.conv2d(w, options: options)
        let (g, g2, w2, base) = (r.tensor(y.shape), r.tensor(y.shape), r.tensor(s.weight), r.tensor(s.input))
        let f = { (t: Tensor) in t.converted(to: .float32) }
        let terms = s.weight[1] * s.weight[2] * s.weight[3]
        let limit = 1e-5 * Double(max(terms, y.shape[2] * y.shape[3] * s.input[0]))
        func check(_ got: Tensor, _ want: Tensor, _ face: String) {
            #expect(maxAbsDifference(got.doubles, want.doubles) < limit, "\(face)")
        }
        check(f(x).conv2d(f(w), options: options), y, "forward")
        check(f(g).conv2dBackwardInput(f(w), inputShape: x.shape, options: options),
            g.conv2dBackwardInput(w, inputShape: x.shape, options: options), "backward-input")
        check(f(x).conv2dBackwardWeight(f(g), weightShape: w.shape, options: options),
            x.conv2dBackwardWeight(g, weightShape: w.shape, options: options), "backward-weight")
        let (fusedY, fusedGW) = f(x).conv2dAndBackwardWeight(f(w), f(g), options: options)
        check(fusedY, y, "fused forward")
        check(fusedGW, x.conv2dBackwardWeight(g, weightShape: w.shape, options: options), "fused backward-weight")
        var running = f(g2)
        _ = f(x).conv2dAndBackwardWeight(f(w), f(g), options: options, addingOutputTo: &running)
        check(running, g2 + y, "fused forward added to a running sum")
        check(Tensor.conv2dBackwardInputSum([(f(g), f(w)), (f(g2), f(w2))], inputShape: x.shape, options: options, adding: f(base)),
            Tensor.conv2dBackwardInputSum([(g, w), (g2, w2)], inputShape: x.shape, options: options, adding: base), "sum of two terms")
    }

    @Test(arguments: setups)
    func forwardMatchesDirectLoops(_ s: Setup) {
        var r = KernelRandom(seed: 21)
        let x = r.tensor(s.input)
        let w = r.tensor(s.weight)
        let options = ConvolutionOptions(stride: s.stride, padding: s.padding, groups: s.groups)
        let expected = naiveConvolution(x, w, stride: s.stride, padding: s.padding, groups: s.groups)
        #expect(maxAbsDifference(x.conv2d(w, options: options).doubles, expected) < 1e-12)
        let y32 = x.converted(to: .float32).conv2d(w.converted(to: .float32), options: options)
        #expect(maxAbsDifference(y32.doubles, expected) < 1e-4)
    }

    /// The two backward kernels are the adjoints of the forward one: ⟨B(x,w), g⟩ = ⟨x, Bᵀₓ(g,w)⟩ = ⟨w, Bᵀ_w(x,g)⟩.
    @Test(arguments: setups)
    func backwardKernelsAreAdjoints(_ s: Setup) {
        var r = KernelRandom(seed: 22)
        let x = r.tensor(s.input)
        let w = r.tensor(s.weight)
        let options = ConvolutionOptions(stride: s.stride, padding: s.padding, groups: s.groups)
        let y = x.conv2d(w, options: options)
        let g = r.tensor(y.shape)
        let lhs = y.dot(g)
        let viaInput = x.dot(g.conv2dBackwardInput(w, inputShape: x.shape, options: options))
        let viaWeight = w.dot(x.conv2dBackwardWeight(g, weightShape: w.shape, options: options))
        #expect(abs(lhs - viaInput) < 1e-11 * max(1, abs(lhs)))
        #expect(abs(lhs - viaWeight) < 1e-11 * max(1, abs(lhs)))
    }

    /// The fused kernels of a second reverse sweep equal the separate faces they replace.
    @Test(arguments: setups)
    func fusedKernelsMatchSeparateFaces(_ s: Setup) {
        var r = KernelRandom(seed: 24)
        let x = r.tensor(s.input)
        let w = r.tensor(s.weight)
        let options = ConvolutionOptions(stride: s.stride, padding: s.padding, groups: s.groups)
        let y = x.conv2d(w, options: options)
        let g = r.tensor(y.shape)
        let (fusedY, fusedGW) = x.conv2dAndBackwardWeight(w, g, options: options)
        #expect(maxAbsDifference(fusedY.doubles, y.doubles) < 1e-12)
        #expect(maxAbsDifference(fusedGW.doubles, x.conv2dBackwardWeight(g, weightShape: w.shape, options: options).doubles) < 1e-12)

        let (g2, w2, base) = (r.tensor(y.shape), r.tensor(s.weight), r.tensor(s.input))
        let sum = Tensor.conv2dBackwardInputSum([(g, w), (g2, w2)], inputShape: x.shape, options: options, adding: base)
        let expected = base + g.conv2dBackwardInput(w, inputShape: x.shape, options: options)
            + g2.conv2dBackwardInput(w2, inputShape: x.shape, options: options)
        #expect(maxAbsDifference(sum.doubles, expected.doubles) < 1e-12)
        // Accumulating the convolution into a running sum: in place when the sum is not shared,
        // a copy otherwise (the other holder sees no change).
        var running = r.tensor(y.shape)
        let runningStart = running.pointer(Double.self)
        let expectedRunning = running + y
        let gwAccumulated = x.conv2dAndBackwardWeight(w, g, options: options, addingOutputTo: &running)
        #expect(maxAbsDifference(running.doubles, expectedRunning.doubles) < 1e-12)
        #expect(running.pointer(Double.self) == runningStart, "an unshared sum is updated in place")
        #expect(maxAbsDifference(gwAccumulated.doubles, fusedGW.doubles) == 0)
        let before = g2.doubles
        var copyOnWrite = g2
        _ = x.conv2dAndBackwardWeight(w, g, options: options, addingOutputTo: &copyOnWrite)
        #expect(g2.doubles == before && maxAbsDifference(copyOnWrite.doubles, (g2 + y).doubles) < 1e-12)

        let single = Tensor.conv2dBackwardInputSum([(g, w)], inputShape: x.shape, options: options)
        #expect(maxAbsDifference(single.doubles, g.conv2dBackwardInput(w, inputShape: x.shape, options: options).doubles) < 1e-12)
    }

    @Test func resultsAreBitIdenticalAcrossRunsAndMatchAcrossThreadCounts() {
        var r = KernelRandom(seed: 23)
        let x = r.tensor([6, 4, 12, 12], dtype: .float32)
        let w = r.tensor([8, 4, 3, 3], dtype: .float32)
        let options = ConvolutionOptions(stride: 1, padding: 1)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var outputs: [[Float]] = []
        for threads in [1, 2, 2, 1] {
            Parallel.threads = threads
            let y = x.conv2d(w, options: options)
            let gw = x.conv2dBackwardWeight(y, weightShape: w.shape, options: options)
            outputs.append(y.floats + gw.floats)
        }
        #expect(outputs[1] == outputs[2], "same thread count must give bit-identical results")
        #expect(outputs[0] == outputs[3])
        #expect(maxAbsDifference(outputs[0].map(Double.init), outputs[1].map(Double.init)) < 1e-2)
    }
}
