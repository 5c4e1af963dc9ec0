import Autodiff
import Datasets
import NN
import Tensor

/// Loss and gradient of a model on one mini-batch at any flat parameter vector: what an
/// optimizer plugin's oracle calls. Every call of one step sees the same batch and the same
/// dropout seed; only the clean pass may keep BatchNorm's new running statistics.
public struct GradientEvaluator: Sendable {
    let shapes: [[Int]]
    let offsets: [Int]

    public init(model: Model) {
        shapes = model.parameters.map(\.shape)
        var running = 0
        offsets = shapes.map { shape in
            defer { running += Shape.count(shape) }
            return running
        }
    }

    /// What one pass produced besides the gradient.
    public struct Pass {
        /// Mean cross-entropy over the batch.
        public var loss: Double
        /// The batch's logits `[B, classes]`.
        public var logits: Tensor
        /// BatchNorm running statistics after this pass (keep them only from the clean pass).
        public var updatedBuffers: [Int: Tensor]
    }

    /// Evaluates at `parameters`, writing ∂loss/∂parameters into `gradient` (same layout).
    public func evaluate(
        model: Model, batch: MiniBatch, dropoutSeed: UInt64, parameters: UnsafeBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>
    ) throws -> Pass {
        precondition(parameters.count == gradient.count, "GradientEvaluator: \(parameters.count) parameters, \(gradient.count) gradient slots")
        guard let base = parameters.baseAddress, let destination = gradient.baseAddress else {
            throw TrainingError.optimizer("the optimizer passed an empty parameter buffer")
        }
        // The parameters are read in place (the optimizer's buffer is unchanged while its oracle
        // runs); the gradient tensors are fresh and copied out.
        return try TensorStorage.borrowing(base, dtype: .float32, count: parameters.count) { flat in
            let views = zip(shapes, offsets).map { Tensor(shape: $0, storage: flat, offset: $1) }
            var logits = Tensor(zeros: [0])
            var updated: [Int: Tensor] = [:]
            let result = try valueAndGradient(at: views) { p in
                let out = model.logits(Var(batch.images), parameters: p, mode: .training, seed: dropoutSeed)
                logits = out.logits.value
                updated = out.updatedBuffers
                return out.logits.crossEntropy(labels: batch.labels)
            }
            for (g, offset) in zip(result.gradient, offsets) {
                (destination + offset).update(from: g.pointer(Float.self), count: g.count)
            }
            return Pass(loss: result.value, logits: logits, updatedBuffers: updated)
        }
    }

    /// Correct predictions (argmax of each row) against `labels`.
    public static func correct(_ logits: Tensor, _ labels: [Int]) -> Int {
        let classes = logits.shape[1]
        let values = logits.floats
        return labels.enumerated().filter { row, label in
            var best = 0
            for c in 1..<classes where values[row * classes + c] > values[row * classes + best] { best = c }
            return best == label
        }.count
    }
}
