import PluginKit

/// Weighted SAM (Yue et al., KDD 2023), docs/algorithms.md#wsam, as atorch's wsam.py (final version):
/// L_WSAM = L + a·(L_SAM − L), a = γ/(1 − γ); γ = 0 is the base optimizer, γ = ½ is SAM.
/// g ← ∇L(w); e = ρ·g/(‖g‖ + 1e-12) (adaptive: ρ·w²⊙g/(‖|w|⊙g‖ + 1e-12)); g (then g_p) clipped to
/// `max_norm` if set; g_p ← ∇L(w + e) at a separate buffer (w untouched). Then, `decouple` (default,
/// the authors' recommendation and the paper's setting): the base steps along g, and the sharpness
/// term bypasses it, w ← w − lr·a·(g_p − g); coupled: the base steps along a·g_p + (1 − a)·g.
/// Defaults ρ 0.05, γ 0.9, no clipping. Two passes per step.
public final class WSAM<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "wsam", version: "1.0.0", summary: "Weighted SAM: sharpness as a regulariser of weight γ/(1−γ)",
            parameters: [
                .number("rho", default: 0.05, minimum: 0, "radius ρ of the neighbourhood"),
                .number("gamma", default: 0.9, minimum: 0, below: 1, "weight γ of the sharpness term (0: base optimizer, 0.5: SAM)"),
                .flag("decouple", default: true, "apply the sharpness term as a separate SGD-like update outside the base optimizer"),
                .number("max_norm", default: nil, minimum: 0, "clip g and g_p to this global norm (null: no clipping)"),
                .flag("adaptive", default: false, "ASAM-style e = ρ·w²⊙g/‖|w|⊙g‖ (davda54 form)"),
            ])
    }

    public static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 2) }

    let rho: Double, weight: Double, decouple: Bool, maxNorm: Double?, adaptive: Bool
    let gradient: ScratchBuffer<Scalar>
    let perturbed: ScratchBuffer<Scalar>
    let point: ScratchBuffer<Scalar>

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        rho = h.number("rho")
        let gamma = h.number("gamma")
        weight = gamma / (1 - gamma)
        (decouple, maxNorm, adaptive) = (h.flag("decouple"), h.optionalNumber("max_norm"), h.flag("adaptive"))
        gradient = ScratchBuffer(count: layout.parameterCount)
        perturbed = ScratchBuffer(count: layout.parameterCount)
        point = ScratchBuffer(count: layout.parameterCount)
    }

    /// s with e = s·(|w|^power)·g, from the current gradient at w.
    func ascentScale(at w: UnsafeBufferPointer<Scalar>) -> Double {
        let g = gradient.view
        let norm = adaptive ? FlatMath.scaledSumOfSquares(g, weights: w, eta: 0).squareRoot() : FlatMath.norm(g)
        return rho / (norm + 1e-12)
    }

    public func step(_ c: StepContext<Scalar>) throws -> StepResult {
        let loss = try c.lossAndGradient(into: gradient.mutable, pass: .clean)
        let g = gradient.view, gp = perturbed.view
        let w = UnsafeBufferPointer(c.parameters)
        FlatMath.perturbedPoint(into: point.mutable, weights: w, direction: g, scale: ascentScale(at: w), power: adaptive ? 2 : 0)
        if let maxNorm { FlatMath.clip(gradient.mutable, toNorm: maxNorm) }  // after e is formed, as wsam.py
        _ = try c.lossAndGradient(at: point.view, into: perturbed.mutable, pass: .perturbed)
        if let maxNorm { FlatMath.clip(perturbed.mutable, toNorm: maxNorm) }
        if decouple {
            FlatMath.combine(into: perturbed.mutable, 1, gp, -1, g)  // s = g_p − g
            try c.baseStep(direction: g)
            FlatMath.add(-c.learningRate * weight, times: gp, to: c.parameters)
        } else {
            FlatMath.combine(into: perturbed.mutable, weight, gp, 1 - weight, g)
            try c.baseStep(direction: gp)
        }
        return StepResult(loss: loss)
    }

    public func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        let loss = try c.lossAndGradient(into: gradient.mutable, pass: .perturbed)
        let w = UnsafeBufferPointer(c.parameters)
        FlatMath.perturbation(into: e, weights: w, direction: gradient.view, scale: ascentScale(at: w), power: adaptive ? 2 : 0)
        return StepResult(loss: loss)
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(WSAM<Float>.self, WSAM<Double>.self)
}
