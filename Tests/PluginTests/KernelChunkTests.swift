@testable import PluginKit
import Testing

/// PluginKit's kernels run over fixed chunks, on several threads for large buffers: the results
/// must equal one serial loop over the whole buffer (elementwise: bit for bit; sums: the chunk
/// totals added in chunk order, within float32 rounding of the exact Double sum).
struct KernelChunkTests {
    /// Five full chunks and a ragged tail: large enough for the parallel path.
    static let count = 5 * KernelChunks.size + 1_234

    static func values(seed: UInt64, offset: Float = 0) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 40) / Double(1 << 24) * 2 - 1) + offset
        }
    }

    @Test func largeBuffersTakeTheParallelPath() {
        #expect(Self.count >= KernelChunks.parallelMinimum)
    }

    @Test func adamAndSGDUpdatesEqualOneSerialLoop() {
        let k = AdamCoefficients(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, step: 3)
        var (w1, m1, v1) = (Self.values(seed: 1), Self.values(seed: 2), Self.values(seed: 3, offset: 2))
        var (w2, m2, v2) = (w1, m1, v1)
        let d = Self.values(seed: 4)
        w1.withUnsafeMutableBufferPointer { w in m1.withUnsafeMutableBufferPointer { m in v1.withUnsafeMutableBufferPointer { v in
            d.withUnsafeBufferPointer { Float.adamUpdate(w, m: m, v: v, direction: $0, k) }
        } } }
        w2.withUnsafeMutableBufferPointer { w in m2.withUnsafeMutableBufferPointer { m in v2.withUnsafeMutableBufferPointer { v in
            d.withUnsafeBufferPointer { Kernels.adamUpdate(w, m: m, v: v, direction: $0, k) }
        } } }
        #expect(w1 == w2 && m1 == m2 && v1 == v2)

        let s = SGDCoefficients(learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-4, nesterov: true, firstStep: false)
        var (x1, b1) = (Self.values(seed: 5), Self.values(seed: 6))
        var (x2, b2) = (x1, b1)
        x1.withUnsafeMutableBufferPointer { x in b1.withUnsafeMutableBufferPointer { b in
            d.withUnsafeBufferPointer { Float.sgdUpdate(x, momentum: b, direction: $0, s) }
        } }
        x2.withUnsafeMutableBufferPointer { x in b2.withUnsafeMutableBufferPointer { b in
            d.withUnsafeBufferPointer { Kernels.sgdUpdate(x, momentum: b, direction: $0, s) }
        } }
        #expect(x1 == x2 && b1 == b2)
    }

    @Test func perturbationsAndCombinationsEqualOneSerialLoop() {
        let (w, g, z) = (Self.values(seed: 7), Self.values(seed: 8), Self.values(seed: 9))
        for power in 0...2 {
            var chunked = [Float](repeating: 0, count: Self.count), serial = chunked
            w.withUnsafeBufferPointer { w in g.withUnsafeBufferPointer { g in
                chunked.withUnsafeMutableBufferPointer { Float.perturb(w, direction: g, scale: 0.3, eta: 0.01, power: power, into: $0, addingWeights: true) }
                serial.withUnsafeMutableBufferPointer { Kernels.perturb(w, direction: g, scale: 0.3, eta: 0.01, power: power, into: $0, addingWeights: true) }
            } }
            #expect(chunked == serial, "power \(power)")
        }
        var chunked = w, serial = w
        g.withUnsafeBufferPointer { g in z.withUnsafeBufferPointer { z in
            chunked.withUnsafeMutableBufferPointer { out in
                Float.combine(out, 0.5, UnsafeBufferPointer(out), -2, g, 0.25, z)
                Float.axpy(0.75, g, out)
                Float.scale(out, by: 1.5)
            }
            serial.withUnsafeMutableBufferPointer { out in
                Kernels.combine(out, 0.5, UnsafeBufferPointer(out), -2, g, 0.25, z)
                Kernels.axpy(0.75, g, out)
                Kernels.scale(out, by: 1.5)
            }
        } }
        #expect(chunked == serial)
    }

    @Test func sumsAddChunkTotalsInOrderAndMatchTheExactSum() {
        let (x, y) = (Self.values(seed: 10), Self.values(seed: 11))
        x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in
            var inOrder = (0.0, 0.0, 0.0)
            var start = 0
            while start < Self.count {
                let r = start..<min(start + KernelChunks.size, Self.count)
                inOrder.0 += Kernels.sumOfSquares(x.chunk(r))
                inOrder.1 += Kernels.dot(x.chunk(r), y.chunk(r))
                inOrder.2 += Kernels.scaledSumOfSquares(x.chunk(r), weights: y.chunk(r), eta: 0.1)
                start = r.upperBound
            }
            #expect(Float.sumOfSquares(x) == inOrder.0)
            #expect(Float.dot(x, y) == inOrder.1)
            #expect(Float.scaledSumOfSquares(x, weights: y, eta: 0.1) == inOrder.2)

            let exactSquares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
            let exactDot = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(Float.sumOfSquares(x) - exactSquares) <= 1e-6 * exactSquares)
            let magnitude = zip(x, y).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            #expect(abs(Float.dot(x, y) - exactDot) <= 1e-6 * magnitude)
        } }
    }
}
