import NN
import Scoring
import Tensor
import Testing

/// The memory cap splits eval-mode batches (docs/metrics.md, memory cap): results equal the
/// unsplit ones up to rounding, and an explicit batch size or training mode is never split.
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
        #expect(free.memoryPlan == nil && free.batchSize == 16)
        // A cap just above what the process holds leaves room for one sample at a time.
        let tight = try Self.context(memory: 1)
        let plan = try #require(tight.memoryPlan)
        #expect(plan.batchSize == 1 && plan.cacheBytes == 0 && plan.sampleGraphBytes > 0)
        #expect(tight.batchSize == 1 && tight.evaluationBatches.count == 30)
        #expect(plan.summary.hasPrefix("memory cap 0.00 GiB: batches of 1"))

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
        #expect(try Self.context(memory: 64 << 30).batchSize == 16)
    }

    @Test func anExplicitBatchSizeOrTrainingModeIsNeverSplit() throws {
        #expect(try Self.context(memory: 1, batchSize: 8).batchSize == 8)
        #expect(try Self.context(memory: 1, mode: .training).batchSize == 16)
        #expect(try Self.context(memory: 1, batchSize: 8).memoryPlan == nil)
    }
}
