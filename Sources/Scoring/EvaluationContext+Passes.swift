import Autodiff
import NN
import Tensor

/// The three callbacks, batch by batch, accumulated in Float64 with weights N_b/N.
extension EvaluationContext {
    /// Mean loss and accuracy over `ids` at `flat` (nil: the checkpoint's weights).
    public func loss(_ ids: [Int], at flat: UnsafeBufferPointer<Double>?) throws -> (loss: Double, accuracy: Double) {
        counters.lossCalls += 1
        let parameters = tensors(flat).map(Var.init)
        let total = Double(sampleCount(ids))
        var loss = 0.0, correct = 0
        for id in ids {
            for (batch, weight) in parts(id, of: total) {
                let labels = batch.labels
                let logits = subject.model.logits(Var(batch.images), parameters: parameters, mode: options.mode,
                                                  seed: options.seed &+ UInt64(id) &* 0x9E37_79B9_7F4A_7C15).logits
                counters.forwardPasses += 1
                let value = logits.crossEntropy(labels: labels).value.scalarValue
                guard value.isFinite else { throw ScoringError.metricFailed(metric: "loss", reason: "the loss of a batch is \(value)") }
                loss += weight * value
                correct += Self.correct(logits.value, labels)
            }
        }
        return (loss, Double(correct) / total)
    }

    /// Writes ∇L over `ids` at `flat` into `gradient` and returns L.
    public func gradient(_ ids: [Int], at flat: UnsafeBufferPointer<Double>?, into gradient: UnsafeMutableBufferPointer<Double>) throws -> Double {
        counters.gradientCalls += 1
        let parameters = tensors(flat)
        let total = Double(sampleCount(ids))
        gradient.update(repeating: 0)
        var loss = 0.0
        for id in ids {
            for (batch, weight) in parts(id, of: total) {
                let r = try valueAndGradient(at: parameters, of: objective(batch, id: id))
                counters.gradientPasses += 1
                loss += weight * r.value
                point.accumulate(r.gradient, weight: weight, into: gradient)
            }
        }
        return loss
    }

    /// Writes H·v over `ids` at `flat` into `product`: exact (reverse-over-reverse), from each
    /// batch's cached linearisation when `flat` is nil and the cache holds it.
    public func hessianVectorProduct(_ ids: [Int], at flat: UnsafeBufferPointer<Double>?, vector: UnsafeBufferPointer<Double>,
                                     into product: UnsafeMutableBufferPointer<Double>) throws {
        counters.hessianVectorProducts += 1
        let parameters = tensors(flat)
        let direction = point.tensors(vector)
        let total = Double(sampleCount(ids))
        product.update(repeating: 0)
        for id in ids {
            for (part, (batch, weight)) in parts(id, of: total).enumerated() {
                let key = id << 20 | part  // a batch's parts are cached one by one
                let linearization: Linearization
                if flat == nil, let cached = cache[key] {
                    linearization = cached
                    counters.cacheHits += 1
                } else {
                    linearization = try Linearization(at: parameters, of: objective(batch, id: id))
                    counters.gradientPasses += 1
                    counters.linearizations += 1
                    if flat == nil { cache.offer(linearization, for: key) }
                }
                point.accumulate(linearization.hessianVectorProduct(direction), weight: weight, into: product)
                counters.batchProducts += 1
            }
        }
    }

    /// Per-sample gradients: for samples `range` of the batches `ids` (in their order), each
    /// sample as a batch of one with its own label or `labels[k]`, writes ∇ℓ_i row by row into
    /// `gradients` and ℓ_i into `losses`. Evaluation mode only: in training mode BatchNorm would
    /// normalise a batch of one by its own statistics, which is not the model being scored.
    public func sampleGradients(_ ids: [Int], at flat: UnsafeBufferPointer<Double>?, range: Range<Int>, labels: [Int]?,
                                into gradients: UnsafeMutableBufferPointer<Double>, losses: UnsafeMutableBufferPointer<Double>) throws {
        guard options.mode == .evaluation else {
            throw ScoringError.invalidRequest("per-sample gradients are taken in evaluation mode; score with --mode eval (the default)")
        }
        let positions = ids.flatMap { id in (0..<batches[id].count).map { (id: id, row: $0) } }
        guard range.lowerBound >= 0, range.upperBound <= positions.count else {
            throw ScoringError.invalidRequest("per-sample gradients of samples \(range) asked for; the subset has \(positions.count)")
        }
        guard labels.map({ $0.count == range.count && $0.allSatisfy { (0..<classCount).contains($0) } }) ?? true else {
            throw ScoringError.invalidRequest("per-sample gradients: give one label in 0..<\(classCount) per sample")
        }
        let parameters = tensors(flat), n = weights.count
        gradients.update(repeating: 0)
        for (k, i) in range.enumerated() {
            let (id, row) = positions[i]
            let image = batches[id].image(row)
            let label = labels?[k] ?? batches[id].labels[row]
            let model = subject.model
            let r = try valueAndGradient(at: parameters) { p in
                model.logits(Var(image), parameters: p, mode: .evaluation, seed: 0).logits.crossEntropy(labels: [label])
            }
            counters.gradientPasses += 1
            counters.sampleGradients += 1
            losses[k] = r.value
            point.accumulate(r.gradient, weight: 1, into: UnsafeMutableBufferPointer(rebasing: gradients[k * n..<(k + 1) * n]))
        }
    }

    /// Classes of the model's output.
    public var classCount: Int { subject.dataset.classNames.count }

    /// Drops the cached linearisations (their memory comes back to the pool).
    public func releaseCache() { cache.removeAll() }

    /// Rows of `logits` whose argmax is the label.
    static func correct(_ logits: Tensor, _ labels: [Int]) -> Int {
        let classes = logits.shape[1]
        let values = logits.doubles
        var count = 0
        for (row, label) in labels.enumerated() {
            var best = 0
            for c in 1..<classes where values[row * classes + c] > values[row * classes + best] { best = c }
            if best == label { count += 1 }
        }
        return count
    }
}
