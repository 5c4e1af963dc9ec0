import Glibc
import PluginKit

/// The trace of the empirical Fisher and of the Gauss–Newton matrix for cross-entropy, over the
/// evaluation subset, from the host's per-sample gradients (docs/metrics.md §fisher):
/// - `fisher_trace` = (1/N)·Σᵢ ‖∇ℓᵢ‖², ℓᵢ the loss of sample i with its own label: tr(F̂) with
///   F̂ = (1/N)·Σᵢ ∇ℓᵢ∇ℓᵢᵀ;
/// - `ggn_trace` = (1/N)·Σᵢ Σ_c pᵢ_c·‖∇ℓᵢ(c)‖², ℓᵢ(c) the loss with label c and pᵢ_c = e^(−ℓᵢ(c))
///   the model's probability of c: for softmax cross-entropy, Σ_c p_c·(p − e_c)(p − e_c)ᵀ is
///   diag(p) − ppᵀ, the Hessian of the loss in the logits, so this is exactly tr(Jᵢᵀ·(diag(p) − ppᵀ)·Jᵢ)
///   averaged: the trace of the Gauss–Newton matrix (= the model's own Fisher);
/// - `gradient_variance` = (1/N)·Σᵢ ‖∇ℓᵢ − ḡ‖² = `fisher_trace` − ‖ḡ‖², the gradient noise.
/// Exact over the subset (no sampling): no standard errors. Costs N (`fisher_trace`) plus N·C
/// (`ggn_trace`) single-sample gradients.
public final class Fisher: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "fisher", version: "1.0.0",
            summary: "traces of the empirical Fisher and of the Gauss-Newton matrix (cross-entropy), from per-sample gradients",
            parameters: [
                .flag("ggn", default: true, "also the Gauss-Newton trace (class-count times the gradients)"),
                .integer("chunk", default: 8, minimum: 1, "samples per host call (memory: chunk × parameters doubles)"),
            ],
            outputs: [
                .output("fisher_trace", "tr of the empirical Fisher, (1/N)·Σ‖∇ℓᵢ‖²"),
                .output("ggn_trace", "tr of the Gauss-Newton matrix for cross-entropy, (1/N)·Σᵢ Σ_c pᵢ_c·‖∇ℓᵢ(c)‖²"),
                .output("gradient_variance", "(1/N)·Σ‖∇ℓᵢ − ḡ‖²"),
            ])
    }

    public static var usesSampleGradients: Bool { true }

    let ggn: Bool
    let chunk: Int

    public init(hyperparameters h: Hyperparameters) throws {
        ggn = h.flag("ggn")
        chunk = h.integer("chunk")
    }

    public func evaluate(_ context: MetricContext) throws {
        guard context.hasSampleGradients else { throw PluginError.unsupported("this host gives no per-sample gradients") }
        let n = context.sampleCount, p = context.parameterCount, classes = context.classCount
        guard n > 0 else { throw PluginError.invalidArgument("the evaluation subset is empty") }
        let clock = Stopwatch()
        var rows = [Double](repeating: 0, count: min(chunk, n) * p)
        var mean = [Double](repeating: 0, count: p)
        var fisher = 0.0, gaussNewton = 0.0
        var start = 0
        while start < n {
            let range = start..<min(start + chunk, n)
            let width = range.count * p
            // Own labels: the empirical Fisher and the mean gradient.
            try rows.withUnsafeMutableBufferPointer { g in
                _ = try context.sampleGradients(range, into: UnsafeMutableBufferPointer(rebasing: g[0..<width]))
            }
            for k in 0..<range.count {
                let row = Array(rows[k * p..<(k + 1) * p])
                fisher += VectorMath.dot(row, row)
                VectorMath.axpy(1, row, &mean)
            }
            if ggn {
                for c in 0..<classes {
                    let losses = try rows.withUnsafeMutableBufferPointer { g in
                        try context.sampleGradients(range, labels: Array(repeating: c, count: range.count),
                                                    into: UnsafeMutableBufferPointer(rebasing: g[0..<width]))
                    }
                    for k in 0..<range.count {
                        let row = Array(rows[k * p..<(k + 1) * p])
                        gaussNewton += exp(-losses[k]) * VectorMath.dot(row, row)
                    }
                        }
            }
            start = range.upperBound
            // Partial sums over fewer samples are not the traces: stop without reporting.
            if !context.progress(Double(start) / Double(n)) { throw PluginError.callbackFailed("stopped by the host after \(start) of \(n) samples") }
        }
        let count = Double(n)
        VectorMath.scale(&mean, by: 1 / count)
        let seconds = clock.seconds
        try context.report("fisher_trace", value: fisher / count, seconds: seconds)
        try context.report("gradient_variance", value: fisher / count - VectorMath.dot(mean, mean), seconds: seconds)
        if ggn { try context.report("ggn_trace", value: gaussNewton / count, seconds: seconds) }
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(Fisher.self)
}
