import Autodiff
import Datasets
import NN
import Tensor

/// Loss and gradient of a model on one mini-batch at any flat parameter vector: what an
/// optimizer plugin's oracle calls. Every call of one step sees the same batch and the same
/// dropout seed; only the clean pass may keep BatchNorm's new running statistics.
struct GradientEvaluator {
    let shapes: [[Int]]
    let offsets: [Int]

    init(model: Model) {
        shapes = model.parameters.map(\.shape)
        var running = 0
        offsets = shapes.map { shape in
            defer { running += Shape.count(shape) }
            return running
        }
    }

    struct Pass {
        var loss: Double
        var logits: Tensor
        var updatedBuffers: [Int: Tensor]
    }

    /// Evaluates at `parameters`, writing ∂loss/∂parameters into `gradient` (same layout).
    func evaluate(
        model: Model, batch: MiniBatch, dropoutSeed: UInt64, parameters: UnsafeBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>
    ) throws -> Pass {
        // A private copy: the optimizer may hand a perturbed buffer it reuses between calls.
        let flat = Tensor(zeros: [parameters.count], dtype: .float32)
        if let base = parameters.baseAddress { flat.pointer(Float.self).update(from: base, count: parameters.count) }
        let views = zip(shapes, offsets).map { Tensor(shape: $0, storage: flat.storage, offset: flat.offset + $1) }
        var logits = Tensor(zeros: [0])
        var updated: [Int: Tensor] = [:]
        let result = try valueAndGradient(at: views) { p in
            let out = model.logits(Var(batch.images), parameters: p, mode: .training, seed: dropoutSeed)
            logits = out.logits.value
            updated = out.updatedBuffers
            return out.logits.crossEntropy(labels: batch.labels)
        }
        guard let destination = gradient.baseAddress else { return Pass(loss: result.value, logits: logits, updatedBuffers: updated) }
        for (g, offset) in zip(result.gradient, offsets) {
            (destination + offset).update(from: g.pointer(Float.self), count: g.count)
        }
        return Pass(loss: result.value, logits: logits, updatedBuffers: updated)
    }

    /// Correct predictions (argmax of each row) against `labels`.
    static func correct(_ logits: Tensor, _ labels: [Int]) -> Int {
        let classes = logits.shape[1]
        let values = logits.floats
        return labels.enumerated().filter { row, label in
            var best = 0
            for c in 1..<classes where values[row * classes + c] > values[row * classes + best] { best = c }
            return best == label
        }.count
    }
}
