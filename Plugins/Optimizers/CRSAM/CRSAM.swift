import PluginKit

/// Curvature-regularised SAM (Wu, Luo & Wunsch, AAAI 2024), docs/algorithms.md#cr-sam, as the official
/// code TrustAIoT/CR-SAM (utils/crsam.py): g0 ← ∇L(w); e = ρ·g0/(‖g0‖ + 1e-12);
/// g+ ← ∇L(w + e); g− ← ∇L(w − e), both at a separate buffer (w untouched); the base steps along
/// d = g+ + γc·(g+ + g− − 2g0) + β·(g+ − g−). Three passes per step. Only the first pass updates
/// BatchNorm statistics (the reference also writes them in pass 3; docs/algorithms.md#batchnorm-across-passes).
///
/// `form` names how the paper's L_SAM + α·log Tr(H) + β·log‖∇L‖ is turned into a direction:
/// - `code` (default): fixed weights as in the official code, no logarithm anywhere.
/// - `log`: our reading of the paper (unverified beyond its abstract): the log terms' gradients
///   with the same finite differences, h = ‖e‖, v = ĝ0: α·(g+ + g− − 2g0)/(h²·T) with
///   T = ⟨v, g+ − g−⟩/(2h) ≈ vᵀHv, plus β·(g+ − g−)/(2h·‖g0‖); a term is dropped when its
///   denominator is not positive (T ≤ 1e-12, h = 0 or g0 = 0).
/// Defaults ρ 0.1, curvature 0.1, gradient norm 0.01 are the official training script's.
public final class CRSAM<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "crsam", version: "1.0.0", summary: "CR-SAM: SAM plus curvature and gradient-norm terms from ±e passes",
            parameters: [
                .number("rho", default: 0.1, minimum: 0, "radius ρ of the neighbourhood and finite-difference step"),
                .number("curvature_weight", default: 0.1, minimum: 0, "weight of the curvature term (gamma in the official code, α in the paper)"),
                .number("gradient_norm_weight", default: 0.01, minimum: 0, "weight β of the gradient-norm term"),
                .choice("form", ["code", "log"], default: "code", "code: fixed weights (official code); log: the paper's log terms"),
            ])
    }

    public static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 3) }

    let rho: Double, curvatureWeight: Double, gradientNormWeight: Double, logForm: Bool
    let clean: ScratchBuffer<Scalar>
    let plus: ScratchBuffer<Scalar>
    let minus: ScratchBuffer<Scalar>
    let point: ScratchBuffer<Scalar>

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        (rho, curvatureWeight, gradientNormWeight) = (h.number("rho"), h.number("curvature_weight"), h.number("gradient_norm_weight"))
        logForm = h.string("form") == "log"
        let n = layout.parameterCount
        (clean, plus, minus, point) = (ScratchBuffer(count: n), ScratchBuffer(count: n), ScratchBuffer(count: n), ScratchBuffer(count: n))
    }

    public func step(_ c: StepContext<Scalar>) throws -> StepResult {
        let ascent = try c.samPerturbedPoint(rho: rho, gradient: clean.mutable, into: point.mutable)
        let g0 = clean.view, gPlus = plus.view, gMinus = minus.view
        let norm = ascent.gradientNorm
        let scale = rho / (norm + 1e-12)  // the same s as for w + e above
        _ = try c.lossAndGradient(at: point.view, into: plus.mutable, pass: .perturbed)
        FlatMath.perturbedPoint(into: point.mutable, weights: UnsafeBufferPointer(c.parameters), direction: g0, scale: -scale)
        _ = try c.lossAndGradient(at: point.view, into: minus.mutable, pass: .perturbed)
        var (curvature, gradientNorm) = (curvatureWeight, gradientNormWeight)
        if logForm {
            let h = scale * norm
            let directional = (FlatMath.dot(g0, gPlus) - FlatMath.dot(g0, gMinus)) / (norm * 2 * h)
            curvature = h > 0 && norm > 0 && directional > 1e-12 ? curvatureWeight / (h * h * directional) : 0
            gradientNorm = h > 0 && norm > 0 ? gradientNormWeight / (2 * h * norm) : 0
        }
        // d = g+ + a(g+ + g− − 2g0) + b(g+ − g−) = (1 + a + b)g+ + (a − b)g− − 2a·g0
        FlatMath.combine(into: plus.mutable, 1 + curvature + gradientNorm, gPlus, curvature - gradientNorm, gMinus, -2 * curvature, g0)
        try c.baseStep(direction: gPlus)
        return ascent
    }

    public func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        try c.samPerturbation(rho: rho, gradient: clean.mutable, into: e)
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(CRSAM<Float>.self, CRSAM<Double>.self)
}
