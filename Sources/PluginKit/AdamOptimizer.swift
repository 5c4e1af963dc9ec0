/// Where an `AdamOptimizer`'s `weight_decay` acts, which also makes it the `adam` or the `adamw`
/// plugin (Plugins/Optimizers/Adam/Adam.swift, Plugins/Optimizers/AdamW/AdamW.swift).
public protocol AdamWeightDecay {
    /// True: w ← w·(1 − lr·λ) before the update (AdamW); false: d ← d + λ·w (Adam).
    static var isDecoupled: Bool { get }
}

/// Adam's `weight_decay`: an L2 term coupled into the moments, d ← d + λ·w.
public enum CoupledWeightDecay: AdamWeightDecay {
    public static let isDecoupled = false
}

/// AdamW's `weight_decay`: decoupled from the moments, w ← w·(1 − lr·λ) before the update.
public enum DecoupledWeightDecay: AdamWeightDecay {
    public static let isDecoupled = true
}

/// Adam with PyTorch's semantics (torch.optim.Adam, torch.optim.AdamW), as a base optimizer:
/// bias-corrected moments (`AdamMoments`), eps added to √v̂, and `weight_decay` coupled or
/// decoupled as `Decay` says. The `adam` and `adamw` plugins are this one optimizer.
public final class AdamOptimizer<Decay: AdamWeightDecay, Scalar: PluginScalar>: BaseOptimizerPlugin {
    public static var description: PluginDescription {
        let weightDecay: ParameterSpec = Decay.isDecoupled
            ? .number("weight_decay", default: 0.01, minimum: 0, "decoupled decay: w ← w·(1 − lr·λ) every step")
            : .number("weight_decay", default: 0, minimum: 0, "L2 penalty added to the gradient before the moments")
        return PluginDescription(
            name: Decay.isDecoupled ? "adamw" : "adam", version: "1.0.0",
            summary: Decay.isDecoupled ? "AdamW, PyTorch semantics (decoupled weight decay)" : "Adam, PyTorch semantics (coupled L2 weight decay)",
            parameters: [
                .number("lr", default: 1e-3, minimum: 0, "initial learning rate (the host passes the current one every step)"),
                .number("beta1", default: 0.9, minimum: 0, below: 1, "decay of the first moment"),
                .number("beta2", default: 0.999, minimum: 0, below: 1, "decay of the second moment"),
                .number("eps", default: 1e-8, minimum: 0, "added to the square root of the second moment"),
                weightDecay,
            ])
    }

    public lazy var gradient = ScratchBuffer<Scalar>(count: count)
    let count: Int
    let moments: AdamMoments<Scalar>
    let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        count = layout.parameterCount
        moments = AdamMoments(count: count)
        (beta1, beta2, epsilon, weightDecay) = (h.number("beta1"), h.number("beta2"), h.number("eps"), h.number("weight_decay"))
    }

    public func apply(_ c: ApplyContext<Scalar>) throws {
        moments.update(parameters: c.parameters, direction: c.direction, learningRate: c.learningRate, beta1: beta1, beta2: beta2,
                       epsilon: epsilon, weightDecay: Decay.isDecoupled ? 0 : weightDecay,
                       decoupledWeightDecay: Decay.isDecoupled ? weightDecay : 0)
    }

    public func saveState() -> [StateTensor] { moments.saveState() }
    public func loadState(_ state: StateTensors) throws { try moments.loadState(state) }
}
