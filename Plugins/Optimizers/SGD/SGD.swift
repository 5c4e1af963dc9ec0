import PluginKit

/// Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD): coupled L2 weight decay,
/// momentum buffer initialised to the first direction (no dampening on the first step), and
/// Nesterov momentum d ← d + μ·buf. With momentum 0 it is plain w ← w − lr·d, the base that
/// the closed-form direction tests use (docs/algorithms.md#closed-form-tests).
public final class SGD<Scalar: PluginScalar>: BaseOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "sgd", version: "1.0.0", summary: "SGD with momentum and Nesterov, PyTorch semantics",
            parameters: [
                .number("lr", default: 1e-3, minimum: 0, "initial learning rate (the host passes the current one every step)"),
                .number("momentum", default: 0, minimum: 0, "momentum factor μ (0: none)"),
                .number("dampening", default: 0, minimum: 0, maximum: 1, "dampening of the momentum buffer's input"),
                .number("weight_decay", default: 0, minimum: 0, "L2 penalty added to the gradient"),
                .flag("nesterov", default: false, "Nesterov momentum (needs momentum > 0 and dampening 0)"),
            ])
    }

    public lazy var gradient = ScratchBuffer<Scalar>(count: count)
    let count: Int
    let buffer: ScratchBuffer<Scalar>?
    let momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool
    var steps = 0

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        count = layout.parameterCount
        (momentum, dampening, weightDecay, nesterov) = (h.number("momentum"), h.number("dampening"), h.number("weight_decay"), h.flag("nesterov"))
        if nesterov, momentum <= 0 || dampening != 0 {
            throw PluginError.invalidArgument("nesterov needs momentum > 0 and dampening 0 (got momentum \(momentum), dampening \(dampening))")
        }
        buffer = momentum == 0 ? nil : ScratchBuffer(count: count)
    }

    public func apply(_ c: ApplyContext<Scalar>) throws {
        steps += 1
        let k = SGDCoefficients(learningRate: c.learningRate, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                                nesterov: nesterov, firstStep: steps == 1)
        Scalar.sgdUpdate(c.parameters, momentum: buffer?.mutable, direction: c.direction, k)
    }

    public func saveState() -> [StateTensor] {
        [.scalar("step", Double(steps))] + (buffer.map { [.buffer("momentum_buffer", $0.view)] } ?? [])
    }

    public func loadState(_ state: StateTensors) throws {
        if let buffer { try state.restore("momentum_buffer", into: buffer.mutable) }
        steps = Int(try state.scalar("step"))
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(SGD<Float>.self, SGD<Double>.self)
}
