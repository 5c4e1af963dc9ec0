import PluginKit

/// Adam (Kingma & Ba, ICLR 2015) with PyTorch's semantics (docs/algorithms.md#adam, torch.optim.Adam):
/// bias-corrected moments, eps added to √v̂, and `weight_decay` as an L2 term coupled into the
/// moments (d ← d + λ·w), not AdamW's decoupled decay. Defaults are PyTorch's; the study trains
/// at lr 1e-4. The base optimizer of every SAM-family plugin unless another is chosen.
public final class Adam<Scalar: PluginScalar>: BaseOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "adam", version: "1.0.0", summary: "Adam, PyTorch semantics (coupled L2 weight decay)",
            parameters: [
                .number("lr", default: 1e-3, minimum: 0, "initial learning rate (the host passes the current one every step)"),
                .number("beta1", default: 0.9, minimum: 0, below: 1, "decay of the first moment"),
                .number("beta2", default: 0.999, minimum: 0, below: 1, "decay of the second moment"),
                .number("eps", default: 1e-8, minimum: 0, "added to the square root of the second moment"),
                .number("weight_decay", default: 0, minimum: 0, "L2 penalty added to the gradient before the moments"),
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
                       epsilon: epsilon, weightDecay: weightDecay)
    }

    public func saveState() -> [StateTensor] { moments.saveState() }
    public func loadState(_ state: StateTensors) throws { try moments.loadState(state) }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(Adam<Float>.self, Adam<Double>.self)
}
