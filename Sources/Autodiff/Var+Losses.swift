import Tensor

/// Softmax family and classification losses.
extension Var {
    /// log-softmax over the last axis. Pullback: g − softmax(x)·Σg, with softmax = exp(output).
    public func logSoftmax() -> Var {
        Var.record(value.logSoftmax(), [self], op: "logSoftmax") { g, _, y, _ in
            [g - y.exp() * g.sum(axes: [-1], keepingDimensions: true)]
        }
    }

    /// softmax over the last axis. Pullback: y ⊙ (g − Σ g⊙y), with y the output, as one fused op
    /// (`softmaxPullback`) that a recorded sweep (HVP) differentiates again.
    public func softmax() -> Var {
        Var.record(value.softmax(), [self], op: "softmax") { g, _, y, _ in [Var.softmaxPullback(g, y)] }
    }

    /// y ⊙ (g − Σ g⊙y) per row of the last axis, one pass. Its own pullback (an HVP's second
    /// sweep) is one fused pass too (`softmaxPullbackAdjoint`); if that sweep is itself recorded
    /// (third order), the composite formula is used so it stays differentiable.
    static func softmaxPullback(_ g: Var, _ y: Var) -> Var {
        Var.record(g.value.softmaxPullback(output: y.value), [g, y], op: "softmaxPullback") { h, inputs, _, _ in
            let (g, y) = (inputs[0], inputs[1])
            guard !Var.recordsAny([h, g, y]) else {
                let t = (h * y).sum(axes: [-1], keepingDimensions: true)
                let s = (g * y).sum(axes: [-1], keepingDimensions: true)
                return [(h - t) * y, h * (g - s) - g * t]
            }
            let adjoint = h.value.softmaxPullbackAdjoint(gradient: g.value, output: y.value)
            return [Var(adjoint.gradient), Var(adjoint.output)]
        }
    }

    /// Mean softmax cross-entropy of logits [N, classes] against integer labels, with optional
    /// label smoothing ε (target = (1−ε)·onehot + ε/classes), as `torch.nn.CrossEntropyLoss`.
    public func crossEntropy(labels: [Int], labelSmoothing: Double = 0) -> Var {
        tensorCheck(rank == 2 && shape[0] == labels.count, "crossEntropy",
            "logits \(shape) must be [batch, classes] with one label per row (\(labels.count) labels)")
        let classes = shape[1]
        tensorCheck(labels.allSatisfy { $0 >= 0 && $0 < classes }, "crossEntropy",
            "labels must lie in 0..<\(classes); got \(labels.filter { $0 < 0 || $0 >= classes }.prefix(3))")
        let logProbabilities = logSoftmax()
        let picked = logProbabilities.gathered(
            flatIndices: labels.enumerated().map { $0.offset * classes + $0.element }, shape: [labels.count])
        let nll = -picked.mean()
        guard labelSmoothing > 0 else { return nll }
        let uniform = -logProbabilities.mean()  // mean over batch and classes = (1/N)Σ (1/K)Σ −log p
        return nll * (1 - labelSmoothing) + uniform * labelSmoothing
    }
}
