import PluginKit

/// Worst-case sharpness (Keskar et al. 2017; Foret et al. 2021): max L(w + δ) over the L2 ball
/// ‖δ‖ ≤ ρ, minus L(w), by projected gradient ascent; and the adaptive version (ASAM, Kwon et
/// al. 2021) over ‖δ / (|w| + η)‖ ≤ ρ, which is invariant to rescaling a layer's weights.
///
/// Ascent: `steps` normalised gradient steps of length 2ρ/steps, each projected back onto the
/// ball, keeping the largest loss seen. With steps = 1 the point is exactly SAM's (ASAM's)
/// perturbation ρ·g/‖g‖ (ρ·T²g/‖Tg‖). Losses are over the evaluation data (Float64 sums).
public final class Sharpness: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "sharpness", version: "1.0.0", summary: "max loss in an L2 ball of radius ρ minus the loss, and the adaptive (ASAM) variant",
            parameters: [
                .number("rho", default: 0.05, minimum: 0, "radius of the L2 ball"),
                .number("adaptive_rho", default: 0.5, minimum: 0, "radius of the adaptive ball (ASAM's ρ)"),
                .number("eta", default: 0.01, minimum: 0, "adaptive: T_w = diag(|w| + η)"),
                .integer("steps", default: 5, minimum: 1, "projected gradient ascent steps (1: the SAM/ASAM point)"),
            ])
    }

    let rho: Double, adaptiveRho: Double, eta: Double
    let steps: Int

    public init(hyperparameters h: Hyperparameters) throws {
        rho = h.number("rho")
        adaptiveRho = h.number("adaptive_rho")
        eta = h.number("eta")
        steps = h.integer("steps")
    }

    public func evaluate(_ context: MetricContext) throws {
        let w = Array(context.parameters)
        var clock = Stopwatch()
        let plain = try ascend(context, w, scale: [Double](repeating: 1, count: w.count), radius: rho)
        try context.report("sharpness", value: plain, seconds: clock.seconds)
        clock = Stopwatch()
        let adaptive = try ascend(context, w, scale: w.map { abs($0) + eta }, radius: adaptiveRho)
        try context.report("adaptive_sharpness", value: adaptive, seconds: clock.seconds)
    }

    /// max L(w + T·u) − L(w) over ‖u‖ ≤ radius, T = diag(scale), by ascent in u (gradient T·g).
    func ascend(_ context: MetricContext, _ w: [Double], scale: [Double], radius: Double) throws -> Double {
        let n = w.count
        var u = [Double](repeating: 0, count: n)
        var point = w
        var gradient = [Double](repeating: 0, count: n)
        var base = Double.nan, best = -Double.infinity
        let stepLength = 2 * radius / Double(steps)
        for step in 0...steps {
            for i in 0..<n { point[i] = w[i] + scale[i] * u[i] }
            guard step < steps else {
                best = max(best, try point.withUnsafeBufferPointer { try context.loss(at: $0).loss })
                break
            }
            let loss = try point.withUnsafeBufferPointer { p in
                try gradient.withUnsafeMutableBufferPointer { try context.gradient(at: p, into: $0) }
            }
            if step == 0 { base = loss } else { best = max(best, loss) }
            for i in 0..<n { gradient[i] *= scale[i] }  // ∂L/∂u = T·g
            let norm = VectorMath.norm(gradient)
            guard norm > 0 else { break }  // a stationary point of the ascent: nothing more to gain
            VectorMath.axpy(stepLength / norm, gradient, &u)
            let length = VectorMath.norm(u)
            if length > radius { VectorMath.scale(&u, by: radius / length) }
            _ = context.progress(Double(step + 1) / Double(steps + 1))
        }
        return best.isFinite ? best - base : 0
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(Sharpness.self)
}
