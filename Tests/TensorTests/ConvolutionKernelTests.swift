import CKernels
import Tensor
import Testing

/// CKernels' direct convolution kernels (conv_flat.c) in every build this CPU can run (baseline,
/// AVX2+FMA, AVX-512) against plain Double loops, on sizes that leave every kind of tail: output
/// planes not a multiple of the tile, lengths not a multiple of the vector or of three vectors,
/// and tap counts not a multiple of three.
struct ConvolutionKernelTests {
    static var builds: [Int32] { Array(0...sharp_kernels_build()) }

    struct Case: Sendable, CustomTestStringConvertible {
        let inputs: Int, outputs: Int, length: Int, offsets: [Int]
        var testDescription: String { "\(inputs)→\(outputs) planes, length \(length), offsets \(offsets)" }
        /// Floats per input plane: every index the kernels read.
        var inStride: Int { length + (offsets.max() ?? 0) + 3 }
    }

    static let cases = [
        Case(inputs: 1, outputs: 1, length: 1, offsets: [0]),
        Case(inputs: 3, outputs: 5, length: 47, offsets: [0, 1, 2, 9, 10, 11, 18, 19, 20]),
        Case(inputs: 2, outputs: 9, length: 100, offsets: [0, 1, 7, 8]),
        Case(inputs: 4, outputs: 16, length: 200, offsets: [0, 2, 5, 11, 13]),
        Case(inputs: 1, outputs: 17, length: 48 * 3 + 16 + 5, offsets: [3, 0, 1, 20, 21, 22, 40]),
        Case(inputs: 7, outputs: 8, length: 16, offsets: [0, 1, 2, 6, 7, 8, 12, 13, 14]),
    ]

    @Test(arguments: cases)
    func everyBuildMatchesPlainLoops(_ k: Case) {
        var r = KernelRandom(seed: UInt64(k.length * 31 + k.outputs))
        let taps = k.offsets.count
        let input = (0..<(k.inputs * k.inStride)).map { _ in Float(r.symmetric()) }
        let weight = (0..<(k.outputs * k.inputs * taps)).map { _ in Float(r.symmetric()) }
        let start = (0..<(k.outputs * k.length)).map { _ in Float(r.symmetric()) }
        let gradient = (0..<(k.outputs * k.length)).map { _ in Float(r.symmetric()) }
        var expected = [Double](repeating: 0, count: k.outputs * k.length)
        var expectedWeight = [Double](repeating: 0, count: weight.count)
        for o in 0..<k.outputs {
            for q in 0..<k.length {
                for c in 0..<k.inputs {
                    for t in 0..<taps {
                        let x = Double(input[c * k.inStride + q + k.offsets[t]])
                        expected[o * k.length + q] += Double(weight[(o * k.inputs + c) * taps + t]) * x
                        expectedWeight[(o * k.inputs + c) * taps + t] += Double(gradient[o * k.length + q]) * x
                    }
                }
            }
        }
        // Each sum has inputs·taps (forward) or length (weight) terms of magnitude < 1.
        let (forwardLimit, weightLimit) = (1e-5 * Double(k.inputs * taps), 1e-5 * Double(k.length))
        var scratch = [Float](repeating: .nan, count: sharp_conv_flat_scratch_count(k.inputs, taps))
        for build in Self.builds {
            for accumulate in [Int32(0), 1] {
                var out = start
                sharp_conv_flat_forward_f32_build(build, input, k.inputs, k.inStride, weight, k.offsets, taps, &out, k.outputs,
                    k.length, k.length, accumulate, &scratch)
                let want = accumulate == 1 ? zip(expected, start).map { $0 + Double($1) } : expected
                #expect(maxAbsDifference(out.map(Double.init), want) < forwardLimit, "build \(build), accumulate \(accumulate)")
            }
            var dw = weight
            sharp_conv_flat_weight_f32_build(build, input, k.inputs, k.inStride, k.offsets, taps, gradient, k.outputs, k.length,
                k.length, &dw)
            let want = zip(expectedWeight, weight).map { $0 + Double($1) }
            #expect(maxAbsDifference(dw.map(Double.init), want) < weightLimit, "build \(build): weight gradient")
        }
    }

    /// Strided output planes: the forward kernel writes only the first `length` floats of each.
    @Test func forwardLeavesTheRestOfEachOutputPlaneAlone() {
        let (inputs, outputs, length, stride) = (2, 3, 21, 30)
        let input = [Float](repeating: 1, count: inputs * (length + 2))
        let weight = [Float](repeating: 0.5, count: outputs * inputs * 2)
        var scratch = [Float](repeating: 0, count: sharp_conv_flat_scratch_count(inputs, 2))
        for build in Self.builds {
            var out = [Float](repeating: -7, count: outputs * stride)
            sharp_conv_flat_forward_f32_build(build, input, inputs, length + 2, weight, [0, 1], 2, &out, outputs, stride, length, 0,
                &scratch)
            for o in 0..<outputs {
                #expect(out[(o * stride)..<(o * stride + length)].allSatisfy { $0 == 2 }, "build \(build)")
                #expect(out[(o * stride + length)..<((o + 1) * stride)].allSatisfy { $0 == -7 }, "build \(build)")
            }
        }
    }
}
