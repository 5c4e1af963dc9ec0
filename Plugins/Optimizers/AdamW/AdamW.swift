import PluginKit

/// AdamW (Loshchilov & Hutter, ICLR 2019) with PyTorch's semantics (torch.optim.AdamW): the
/// weight decay is decoupled from the moments, w ← w·(1 − lr·λ), applied before the Adam update.
/// Defaults are PyTorch's (weight_decay 0.01).
public final class AdamW<Scalar: PluginScalar>: BaseOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "adamw", version: "1.0.0", summary: "AdamW, PyTorch semantics (decoupled weight decay)",
            parameters: [
                .number("lr", default: 1e-3, minimum: 0, "initial learning rate (the host passes the current one every step)"),
                .number("beta1", default: 0.9, minimum: 0, below: 1, "decay of the first moment"),
                .number("beta2", default: 0.999, minimum: 0, below: 1, "decay of the second moment"),
                .number("eps", default: 1e-8, minimum: 0, "added to the square root of the second moment"),
                .number("weight_decay", default: 0.01, minimum: 0, "decoupled decay: w ← w·(1 − lr·λ) every step"),
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
                       epsilon: epsilon, decoupledWeightDecay: weightDecay)
    }

    public func saveState() -> [StateTensor] { moments.saveState() }
    public func loadState(_ state: StateTensors) throws { try moments.loadState(state) }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(AdamW<Float>.self, AdamW<Double>.self)
}
