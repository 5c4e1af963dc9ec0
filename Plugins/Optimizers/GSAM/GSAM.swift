import PluginKit

/// Surrogate-gap guided SAM (Zhuang et al., ICLR 2022), docs/algorithms.md#gsam, as the PyTorch port
/// juntang-zhuang/GSAM (same math as big_vision's official code with `minimize_fp`):
/// ρ_t = ρ_min + (ρ_max − ρ_min)·(lr − lr_min)/(lr_max − lr_min), linear in this step's lr and
/// not clamped (ρ_max when lr_max = lr_min, the default: constant lr). g ← ∇L(w);
/// e = ρ_t·g/(‖g‖ + 1e-12); g_p ← ∇L(w + e) at a separate buffer (w untouched); g⊥ = g − c·g_p with
/// c = cos·‖g‖/(‖g_p‖ + ε), cos = ⟨g,g_p⟩/(‖g‖‖g_p‖ + ε), ε 1e-12; d = g_p − α·g⊥; the base steps
/// along d. `minimize_fp` false is big_vision's other mode, d = g + α·(g_p − ⟨g_p,ĝ⟩ĝ).
/// Defaults ρ_max 0.04, ρ_min 0.02, α 0.01 are the paper's Table 4 (ResNet). Two passes per step.
public final class GSAM<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "gsam", version: "1.0.0", summary: "GSAM: SAM plus an ascent on the clean loss orthogonal to the SAM gradient",
            parameters: [
                .number("rho_max", default: 0.04, minimum: 0, "ρ at lr = lr_max (and always when lr_max = lr_min)"),
                .number("rho_min", default: 0.02, minimum: 0, "ρ at lr = lr_min"),
                .number("alpha", default: 0.01, "weight α of the orthogonal ascent on the surrogate gap"),
                .number("lr_max", default: 0, minimum: 0, "learning rate where ρ = rho_max"),
                .number("lr_min", default: 0, minimum: 0, "learning rate where ρ = rho_min"),
                .flag("minimize_fp", default: true, "true: descend on the perturbed loss (paper); false: big_vision's clean-gradient mode"),
            ])
    }

    public static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 2) }

    let rhoMax: Double, rhoMin: Double, alpha: Double, lrMax: Double, lrMin: Double, minimizeFp: Bool
    let gradient: ScratchBuffer<Scalar>
    let perturbed: ScratchBuffer<Scalar>
    let point: ScratchBuffer<Scalar>

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        (rhoMax, rhoMin, alpha) = (h.number("rho_max"), h.number("rho_min"), h.number("alpha"))
        (lrMax, lrMin, minimizeFp) = (h.number("lr_max"), h.number("lr_min"), h.flag("minimize_fp"))
        gradient = ScratchBuffer(count: layout.parameterCount)
        perturbed = ScratchBuffer(count: layout.parameterCount)
        point = ScratchBuffer(count: layout.parameterCount)
    }

    /// ρ_t for this step's learning rate.
    func rho(learningRate lr: Double) -> Double {
        lrMax == lrMin ? rhoMax : rhoMin + (rhoMax - rhoMin) * (lr - lrMin) / (lrMax - lrMin)
    }

    public func step(_ c: StepContext<Scalar>) throws -> StepResult {
        let clean = try c.samPerturbedPoint(rho: rho(learningRate: c.learningRate), gradient: gradient.mutable, into: point.mutable)
        let g = gradient.view, gp = perturbed.view, norm = clean.gradientNorm
        _ = try c.lossAndGradient(at: point.view, into: perturbed.mutable, pass: .perturbed)
        let inner = FlatMath.dot(g, gp)
        if minimizeFp {
            let perturbedNorm = FlatMath.norm(gp)
            let cosine = inner / (norm * perturbedNorm + 1e-12)
            let projection = cosine * norm / (perturbedNorm + 1e-12)
            // d = g_p − α(g − c·g_p) = (1 + αc)·g_p − α·g
            FlatMath.combine(into: perturbed.mutable, 1 + alpha * projection, gp, -alpha, g)
        } else {
            // d = g + α(g_p − ⟨g_p, ĝ⟩ĝ) = α·g_p + (1 − α⟨g_p, g⟩/‖g‖²)·g; ĝ = 0 when g = 0
            let projection = norm > 0 ? inner / (norm * norm) : 0
            FlatMath.combine(into: perturbed.mutable, alpha, gp, 1 - alpha * projection, g)
        }
        try c.baseStep(direction: gp)
        return clean
    }

    public func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        try c.samPerturbation(rho: rho(learningRate: c.learningRate), gradient: gradient.mutable, into: e)
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(GSAM<Float>.self, GSAM<Double>.self)
}
