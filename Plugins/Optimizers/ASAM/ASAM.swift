import PluginKit

/// Adaptive SAM (Kwon et al., ICML 2021), docs/algorithms.md#asam: the neighbourhood ‖T_w⁻¹e‖ ≤ ρ with
/// T_w = diag(|w| + η) gives e = ρ·T²g/‖T g‖. The references disagree on which tensors get T,
/// so `variant` names them:
/// - `official` (default; SamsungLabs/ASAM asam.py): T only on tensors whose name contains
///   "weight", t = 1 elsewhere (biases, BN β, position embeddings); η 0.01; e = ρ·T²g/(‖T g‖ + 1e-16).
/// - `davda54` (davda54/sam `adaptive=True`): T = |w| + η on every tensor, η 0, ε 1e-12.
/// - `big-vision` (GSAM paper / big_vision "adaptive"): e = ρ·(|w| + η)⊙g/(‖g‖ + 1e-12), η 0.
/// `eta` null means the variant's own η. Then g_p ← ∇L(w + e) (evaluated at a separate buffer, w
/// untouched), and the base optimizer (Adam by default) steps at w along g_p. Two passes per step.
public final class ASAM<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "asam", version: "1.0.0", summary: "Adaptive SAM: a neighbourhood scaled by |w| + η",
            parameters: [
                .number("rho", default: 0.5, minimum: 0, "radius ρ of the scaled neighbourhood"),
                .number("eta", default: nil, minimum: 0, "η in T = |w| + η; null: 0.01 for official, 0 for the others"),
                .choice("variant", ["official", "davda54", "big-vision"], default: "official",
                        "official: T on *weight* tensors only; davda54: T on all tensors; big-vision: e = ρ|w|g/‖g‖"),
            ])
    }

    public static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 2) }

    /// A run of tensors that all get T (scaled) or all get t = 1.
    struct Segment { let range: Range<Int>; let scaled: Bool }

    let rho: Double, eta: Double, variant: String
    let segments: [Segment]
    let gradient: ScratchBuffer<Scalar>
    let point: ScratchBuffer<Scalar>

    public init(layout: ParameterLayout, hyperparameters h: Hyperparameters) throws {
        rho = h.number("rho")
        variant = h.string("variant")
        eta = h.optionalNumber("eta") ?? (variant == "official" ? 0.01 : 0)
        var segments: [Segment] = []
        for entry in layout.entries where !entry.range.isEmpty {
            let scaled = variant != "official" || entry.name.contains("weight")
            if let last = segments.last, last.scaled == scaled, last.range.upperBound == entry.range.lowerBound {
                segments[segments.count - 1] = Segment(range: last.range.lowerBound..<entry.range.upperBound, scaled: scaled)
            } else {
                segments.append(Segment(range: entry.range, scaled: scaled))
            }
        }
        self.segments = segments
        gradient = ScratchBuffer(count: layout.parameterCount)
        point = ScratchBuffer(count: layout.parameterCount)
    }

    public func step(_ c: StepContext<Scalar>) throws -> StepResult {
        let loss = try c.lossAndGradient(into: gradient.mutable, pass: .clean)
        ascend(from: UnsafeBufferPointer(c.parameters), into: point.mutable, addingWeights: true)
        _ = try c.lossAndGradient(at: point.view, into: gradient.mutable, pass: .perturbed)
        try c.baseStep(direction: gradient.view)
        return StepResult(loss: loss)
    }

    public func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        let loss = try c.lossAndGradient(into: gradient.mutable, pass: .perturbed)
        ascend(from: UnsafeBufferPointer(c.parameters), into: e, addingWeights: false)
        return StepResult(loss: loss)
    }

    /// Forms e from `gradient` at w and writes w + e (the point to evaluate) or e itself to `out`.
    func ascend(from w: UnsafeBufferPointer<Scalar>, into out: UnsafeMutableBufferPointer<Scalar>, addingWeights: Bool) {
        let g = gradient.view
        let denominator: Double
        if variant == "big-vision" {
            denominator = FlatMath.norm(g) + 1e-12
        } else {
            var squares = 0.0
            for s in segments {
                let gs = UnsafeBufferPointer(rebasing: g[s.range])
                squares += s.scaled ? FlatMath.scaledSumOfSquares(gs, weights: UnsafeBufferPointer(rebasing: w[s.range]), eta: eta) : FlatMath.sumOfSquares(gs)
            }
            denominator = squares.squareRoot() + (variant == "official" ? 1e-16 : 1e-12)
        }
        for s in segments {
            let power = variant == "big-vision" ? 1 : (s.scaled ? 2 : 0)
            let (ws, gs, os) = (UnsafeBufferPointer(rebasing: w[s.range]), UnsafeBufferPointer(rebasing: g[s.range]), UnsafeMutableBufferPointer(rebasing: out[s.range]))
            if addingWeights {
                FlatMath.perturbedPoint(into: os, weights: ws, direction: gs, scale: rho / denominator, eta: eta, power: power)
            } else {
                FlatMath.perturbation(into: os, weights: ws, direction: gs, scale: rho / denominator, eta: eta, power: power)
            }
        }
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(ASAM<Float>.self, ASAM<Double>.self)
}
