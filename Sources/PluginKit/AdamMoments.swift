/// Adam's per-parameter state (first and second moments, step count) and its update, for Adam,
/// AdamW and any plugin author who wants an Adam-preconditioned step.
///
/// State tensors use PyTorch's names: `exp_avg`, `exp_avg_sq`, `step`.
public final class AdamMoments<Scalar: PluginScalar> {
    /// m.
    public let first: ScratchBuffer<Scalar>
    /// v.
    public let second: ScratchBuffer<Scalar>
    /// Updates taken so far (bias corrections use stepCount after increment).
    public private(set) var stepCount = 0

    /// Zero moments for `count` parameters.
    public init(count: Int) {
        first = ScratchBuffer(count: count)
        second = ScratchBuffer(count: count)
    }

    /// One update of `parameters` along `direction` (the step count is incremented first).
    public func update(parameters: UnsafeMutableBufferPointer<Scalar>, direction: UnsafeBufferPointer<Scalar>, learningRate: Double,
                       beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double = 0, decoupledWeightDecay: Double = 0) {
        stepCount += 1
        let k = AdamCoefficients(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                                 decoupledWeightDecay: decoupledWeightDecay, step: stepCount)
        Scalar.adamUpdate(parameters, m: first.mutable, v: second.mutable, direction: direction, k)
    }

    /// `exp_avg`, `exp_avg_sq` and `step`, each name prefixed.
    public func saveState(prefix: String = "") -> [StateTensor] {
        [.buffer(prefix + "exp_avg", first.view), .buffer(prefix + "exp_avg_sq", second.view), .scalar(prefix + "step", Double(stepCount))]
    }

    /// Restores what `saveState(prefix:)` wrote.
    public func loadState(_ state: StateTensors, prefix: String = "") throws {
        let steps = try state.scalar(prefix + "step")
        guard steps >= 0, steps.rounded() == steps else { throw PluginError.invalidArgument("state tensor \(prefix)step = \(steps) is not a step count") }
        try state.restore(prefix + "exp_avg", into: first.mutable)
        try state.restore(prefix + "exp_avg_sq", into: second.mutable)
        stepCount = Int(steps)
    }
}
