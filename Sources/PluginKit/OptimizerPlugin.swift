/// What every plugin tells the host about itself (the descriptor's strings).
public struct PluginDescription: Sendable {
    /// Registered name, lower-case, e.g. `sam`.
    public let name: String
    /// The plugin's own version, e.g. `1.0.0`; recorded with every result it produces.
    public let version: String
    /// One line for `sharp plugins`.
    public let summary: String
    /// Hyperparameters with defaults.
    public let parameters: [ParameterSpec]
    /// Metrics: the outputs it reports, when it declares them (short names for tables and sharpq).
    public let outputs: [OutputSpec]

    /// A description.
    public init(name: String, version: String, summary: String, parameters: [ParameterSpec], outputs: [OutputSpec] = []) {
        self.name = name
        self.version = version
        self.summary = summary
        self.parameters = parameters
        self.outputs = outputs
    }
}

/// One output a metric declares: its name as reported, an optional short name that tables and
/// `sharpq` show and accept (docs/index-and-queries.md §3), and a line for `sharp plugin list --verbose`.
public struct OutputSpec: Sendable {
    /// The name the metric reports (`context.report(name, …)`).
    public let name: String
    /// What tables and `sharpq` show and accept, if any.
    public let shortName: String?
    /// One line for `sharp plugin list --verbose`.
    public let summary: String

    /// `.output("power_top_eigenvalue", short: "power_top", "largest |λ| by power iteration")`.
    public static func output(_ name: String, short: String? = nil, _ summary: String) -> OutputSpec {
        OutputSpec(name: name, shortName: short, summary: summary)
    }
}

/// How an optimizer relates to others.
public enum OptimizerRole: Sendable {
    /// A base optimizer (SGD, Adam): one clean pass per step, and usable as another one's base.
    case base
    /// Wraps a base optimizer (SAM family): `passesPerStep` oracle calls per step, then a base step.
    case wrapper(defaultBase: String, passesPerStep: Int)
}

/// Which pass an oracle call is; only the clean pass may update BatchNorm running statistics.
public enum Pass: Sendable {
    /// The clean pass of a training step, at the unperturbed weights w: the host may update
    /// BatchNorm running statistics (`SHARP_PASS_UPDATE_STATISTICS`).
    case clean
    /// Any other pass (w + e, w − e, and every pass of `perturbation`): statistics stay frozen.
    case perturbed
}

/// The outcome of a step: the clean loss and, if computed, the clean gradient's global norm.
public struct StepResult: Sendable {
    /// Loss of the clean pass at w (what a trainer reports).
    public var loss: Double
    /// ‖g‖ at w, or NaN.
    public var gradientNorm: Double

    /// A result.
    public init(loss: Double, gradientNorm: Double = .nan) {
        self.loss = loss
        self.gradientNorm = gradientNorm
    }
}

/// An optimizer a plugin exports. Write it generic over `Scalar` and export both element types:
/// `PluginExport.optimizer(MyOptimizer<Float>.self, MyOptimizer<Double>.self)`.
///
/// The host creates one instance per training run (`init`), then calls `step` once per
/// mini-batch. All buffers are flat, parameter-sized and laid out as `ParameterLayout` says.
public protocol OptimizerPlugin: AnyObject {
    /// Float (training) or Double (analysis and tests).
    associatedtype Scalar: PluginScalar
    /// Name, version, summary and hyperparameters.
    static var description: PluginDescription { get }
    /// Base or wrapper.
    static var role: OptimizerRole { get }
    /// Allocates the state for a model's layout; throw `PluginError.invalidArgument` on bad values.
    init(layout: ParameterLayout, hyperparameters: Hyperparameters) throws
    /// One optimizer step: evaluate the oracle as often as needed, then leave the new weights.
    func step(_ context: StepContext<Scalar>) throws -> StepResult
    /// Base role: one step along a given direction (required when `role` is `.base`).
    func apply(_ context: ApplyContext<Scalar>) throws
    /// Every state tensor needed to resume bit-exactly.
    func saveState() -> [StateTensor]
    /// Restores what `saveState` produced.
    func loadState(_ state: StateTensors) throws
}

extension OptimizerPlugin {
    /// Wrappers are not bases.
    public func apply(_ context: ApplyContext<Scalar>) throws {
        throw PluginError.unsupported("\(Self.description.name) cannot be used as a base optimizer")
    }

    /// No state.
    public func saveState() -> [StateTensor] { [] }

    /// No state.
    public func loadState(_ state: StateTensors) throws {}
}

/// An optimizer with an ascent perturbation (the SAM family). Conforming is what exports the
/// plugin's `perturb` entry: an optimizer that does not conform exports none, and the `sharpness`
/// metric skips it (saying so) instead of failing.
public protocol PerturbingOptimizerPlugin: OptimizerPlugin {
    /// The ascent perturbation e(w) this optimizer would apply at w on the context's batch, written
    /// to `perturbation`; returns the clean loss at w. Must leave the weights and the state
    /// unchanged, and mark every oracle call `.perturbed`.
    func perturbation(_ context: StepContext<Scalar>, into perturbation: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult
}

/// A base optimizer: `step` is one clean pass followed by `apply` along the gradient.
public protocol BaseOptimizerPlugin: OptimizerPlugin {
    /// Where `step` keeps the gradient (one parameter-sized buffer owned by the optimizer).
    var gradient: ScratchBuffer<Scalar> { get }
}

extension BaseOptimizerPlugin {
    /// `.base`.
    public static var role: OptimizerRole { .base }

    /// g ← ∇L(w) (clean pass), then `apply` with d = g.
    public func step(_ context: StepContext<Scalar>) throws -> StepResult {
        let loss = try context.lossAndGradient(into: gradient.mutable, pass: .clean)
        try apply(context.applyContext(direction: gradient.view))
        return StepResult(loss: loss)
    }
}
