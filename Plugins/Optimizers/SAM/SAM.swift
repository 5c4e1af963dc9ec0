import PluginKit

/// Sharpness-Aware Minimization (Foret et al., ICLR 2021), as davda54/sam does it (docs/algorithms.md#sam):
/// g ← ∇L(w) (clean pass); e = ρ·g/(‖g‖ + 1e-12) with one global L2 norm; g_p ← ∇L(w + e) on the
/// same batch, evaluated at a separate buffer holding w + e, so w itself is never changed (the
/// "restore" is exact by construction); the base optimizer (Adam by default) steps at w along g_p.
/// Two passes per step; extra memory: the gradient and the perturbed point.
public final class SAM<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "sam", version: "1.0.0", summary: "SAM: ascend to w + ρ·g/‖g‖, descend with the gradient there",
            parameters: [.number("rho", default: 0.05, minimum: 0, "radius ρ of the L2 neighbourhood")])
    }

    public static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 2) }

    let rho: Double
    let gradient: ScratchBuffer<Scalar>
    let point: ScratchBuffer<Scalar>

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        rho = h.number("rho")
        gradient = ScratchBuffer(count: layout.parameterCount)
        point = ScratchBuffer(count: layout.parameterCount)
    }

    public func step(_ c: StepContext<Scalar>) throws -> StepResult {
        let clean = try c.samPerturbedPoint(rho: rho, gradient: gradient.mutable, into: point.mutable)
        _ = try c.lossAndGradient(at: point.view, into: gradient.mutable, pass: .perturbed)
        try c.baseStep(direction: gradient.view)
        return clean
    }

    public func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        try c.samPerturbation(rho: rho, gradient: gradient.mutable, into: e)
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(SAM<Float>.self, SAM<Double>.self)
}
