import Foundation
import Scoring
import Tensor
import Testing

/// docs/algorithms.md#validation V1–V2 on the host side: the HVP callback of a real (tiny) network is linear,
/// symmetric, deterministic, exact (explicit Hessian vs finite differences of the gradient), and
/// independent of batching, caching and (to Float32 accuracy) precision.
@Suite struct EvaluationContextTests {
    static func vectors(_ n: Int, seed: UInt64) -> [Double] {
        var rng = RandomGenerator(seed: seed)
        return rng.normal(shape: [n], dtype: .float64).doubles
    }

    @Test func hessianVectorProductIsLinearSymmetricAndDeterministic() throws {
        let c = try TinyNetwork.context()
        let n = c.weights.count
        let u = Self.vectors(n, seed: 1), v = Self.vectors(n, seed: 2)
        let hu = try c.hvp(u), hv = try c.hvp(v)
        let combined = try c.hvp(zip(u, v).map { 2 * $0 - 3 * $1 })
        let expected = zip(hu, hv).map { 2 * $0 - 3 * $1 }
        let scale = expected.map(abs).max() ?? 1
        #expect(zip(combined, expected).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        let uhv = Dense.dot(u, hv), vhu = Dense.dot(v, hu)
        #expect(abs(uhv - vhu) / abs(uhv) < 1e-13)
        #expect(try c.hvp(u) == hu)
    }

    @Test func explicitHessianMatchesCentralDifferencesOfTheGradient() throws {
        let c = try TinyNetwork.context()
        let n = c.weights.count
        let h = try c.explicitHessian()
        var worst = 0.0
        let step = 1e-5
        for i in stride(from: 0, to: n, by: 7) {
            var plus = c.weights, minus = c.weights
            plus[i] += step
            minus[i] -= step
            let gp = try c.grad(plus), gm = try c.grad(minus)
            let column = (0..<n).map { h[$0 * n + i] }
            let fd = zip(gp, gm).map { ($0 - $1) / (2 * step) }
            let norm = column.map { $0 * $0 }.reduce(0, +).squareRoot()
            worst = max(worst, zip(column, fd).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() / norm)
        }
        print("tiny net (\(n) parameters): explicit Hessian vs central differences of the gradient, worst column error \(worst)")
        #expect(worst < 1e-7)
    }

    @Test func batchingWeightedBySizeDoesNotChangeTheLossGradientOrHVP() throws {
        let a = try TinyNetwork.context(batchSize: 7), b = try TinyNetwork.context(batchSize: 30)
        #expect(a.evaluationBatches.count == 5 && b.evaluationBatches.count == 1)
        let v = Self.vectors(a.weights.count, seed: 3)
        let (ha, hb) = (try a.hvp(v), try b.hvp(v))
        let (la, lb) = (try a.loss(a.evaluationBatches, at: nil), try b.loss(b.evaluationBatches, at: nil))
        #expect(abs(la.loss - lb.loss) < 1e-14)
        #expect(la.accuracy == lb.accuracy)
        #expect(zip(ha, hb).allSatisfy { abs($0 - $1) < 1e-13 })
        #expect(zip(try a.grad(a.weights), try b.grad(b.weights)).allSatisfy { abs($0 - $1) < 1e-14 })
    }

    @Test func cachedLinearisationsGiveBitIdenticalProducts() throws {
        let cached = try TinyNetwork.context(), uncached = try TinyNetwork.context(cacheBytes: 0)
        let v = Self.vectors(cached.weights.count, seed: 4)
        _ = try cached.hvp(v)
        #expect(try cached.hvp(v) == (try uncached.hvp(v)))
        #expect(cached.counters.cacheHits == cached.evaluationBatches.count)
        #expect(cached.counters.linearizations == cached.evaluationBatches.count)
        #expect(uncached.counters.cacheHits == 0)
        #expect(cached.counters.hessianVectorProducts == 2)
    }

    @Test func float32ProductsAgreeWithFloat64() throws {
        let single = try TinyNetwork.context(dtype: .float32), double = try TinyNetwork.context(dtype: .float64)
        let v = Self.vectors(double.weights.count, seed: 5)
        let (h32, h64) = (try single.hvp(v), try double.hvp(v))
        let error = zip(h32, h64).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() / h64.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(error < 1e-5)
    }

    @Test func subsetIsTheFirstNOfASeededPermutation() throws {
        var options = EvaluationOptions()
        options.sampleCount = 12
        options.batchSize = 5
        let a = try EvaluationContext(subject: TinyNetwork.subject(), options: options)
        let b = try EvaluationContext(subject: TinyNetwork.subject(), options: options)
        #expect(a.evaluationSampleCount == 12 && a.evaluationBatches.count == 3)
        #expect(try a.hvp(a.weights) == (try b.hvp(b.weights)))
        // More samples than the split has: the whole split, in split order (as `all`).
        options.sampleCount = 31
        let capped = try EvaluationContext(subject: TinyNetwork.subject(), options: options)
        options.sampleCount = nil
        let whole = try EvaluationContext(subject: TinyNetwork.subject(), options: options)
        #expect(capped.evaluationSampleCount == whole.evaluationSampleCount)
        #expect(try capped.hvp(capped.weights) == (try whole.hvp(whole.weights)))
        options.sampleCount = 0
        #expect(throws: ScoringError.self) { try EvaluationContext(subject: TinyNetwork.subject(), options: options) }
        options.sampleCount = nil
        options.split = .test
        #expect(try EvaluationContext(subject: TinyNetwork.subject(), options: options).evaluationSampleCount == 10)
    }
}
