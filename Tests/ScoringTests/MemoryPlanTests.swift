import NN
import Scoring
import Tensor
import Testing

/// The memory cap evaluates eval-mode batches in parts (docs/metrics.md, memory cap): results
/// equal the unsplit ones up to rounding, the batches themselves (per-batch metrics) stay, and
/// training mode is never split.
struct MemoryPlanTests {
    static func context(memory: Int?, batchSize: Int? = nil, mode: Mode = .evaluation) throws -> EvaluationContext {
        var options = EvaluationOptions()
        options.precision = .float64
        options.batchSize = batchSize
        options.mode = mode
        options.memoryBytes = memory
        return try EvaluationContext(subject: TinyNetwork.subject(), options: options)
    }

    @Test func aTightCapSplitsBatchesAndChangesNothingButRounding() throws {
        let free = try Self.context(memory: nil)
        #expect(free.memoryPlan == nil && free.batchSize == 16 && free.microBatchSize == 16)
        // A cap below what the process holds: one sample per pass, and the log says so.
        let tight = try Self.context(memory: 1)
        let plan = try #require(tight.memoryPlan)
        #expect(plan.batchSize == 1 && plan.cacheBytes == 0 && plan.sampleGraphBytes > 0 && !plan.fits)
        #expect(tight.batchSize == 16 && tight.microBatchSize == 1 && tight.evaluationBatches.count == 2)
        #expect(plan.summary.hasPrefix("memory cap 0.00 GiB: passes of 1 image (") && plan.summary.hasSuffix("raise --memory-mb"))

        let n = free.weights.count
        let v = EvaluationContextTests.vectors(n, seed: 3)
        func results(_ c: EvaluationContext) throws -> (Double, [Double], [Double]) {
            var g = [Double](repeating: 0, count: n), hv = [Double](repeating: 0, count: n)
            let loss = try g.withUnsafeMutableBufferPointer { try c.gradient(c.evaluationBatches, at: nil, into: $0) }
            try v.withUnsafeBufferPointer { vp in
                try hv.withUnsafeMutableBufferPointer { try c.hessianVectorProduct(c.evaluationBatches, at: nil, vector: vp, into: $0) }
            }
            return (loss, g, hv)
        }
        let (a, b) = (try results(free), try results(tight))
        #expect(abs(a.0 - b.0) <= 1e-13 * abs(a.0))
        for (x, y) in zip(a.1, b.1) { #expect(abs(x - y) <= 1e-12) }
        for (x, y) in zip(a.2, b.2) { #expect(abs(x - y) <= 1e-12) }
        // A generous cap keeps the training batch size.
        let roomy = try Self.context(memory: 64 << 30)
        #expect(roomy.microBatchSize == 16 && roomy.memoryPlan?.fits == true)
        // The per-batch metric sees the same two batches either way.
        #expect(tight.evaluationBatches.map { tight.sampleCount([$0]) } == free.evaluationBatches.map { free.sampleCount([$0]) })
    }

    @Test func trainingModeIsNeverSplitAndAnExplicitBatchSizeIsSplitInParts() throws {
        let training = try Self.context(memory: 1, mode: .training)
        #expect(training.memoryPlan == nil && training.microBatchSize == 16)
        let explicit = try Self.context(memory: 1, batchSize: 8)
        #expect(explicit.batchSize == 8 && explicit.microBatchSize == 1 && explicit.evaluationBatches.count == 4)
    }
}
