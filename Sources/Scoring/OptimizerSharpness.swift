import Foundation
import PluginHost

/// Each optimizer plugin's own view of sharpness (docs/metrics.md §sharpness): for every loaded optimizer
/// with a `perturb` entry point (SAM family), L(w + e_opt(w)) − L(w) on each batch of the
/// evaluation subset, averaged with weights N_b/N. e_opt is computed on the same batch, by a
/// fresh optimizer instance with its default hyperparameters (so checkpoints compare on one
/// scale), in Float64 when the plugin supports it.
public struct OptimizerSharpness {
    let context: EvaluationContext
    let registry: PluginRegistry

    /// `sharpness.<name>` for every optimizer plugin that perturbs, by name.
    func all() throws -> [MetricOutcome.Scalar] {
        try Self.measured(in: registry).map(sharpness)
    }

    /// The optimizer plugins `sharpness` measures (the ones with a `perturb` entry), by name: they
    /// are part of the sharpness job's key (`MetricJobKey`).
    public static func measured(in registry: PluginRegistry) -> [LoadedPlugin] {
        registry.plugins.filter { $0.kind == .optimizer && $0.hasPerturbation }.sorted { $0.name < $1.name }
    }

    /// What the output says about the optimizers it skips (no perturbation).
    static func skippedNotes(in registry: PluginRegistry) -> [String] {
        registry.plugins.filter { $0.kind == .optimizer && !$0.hasPerturbation && $0.wrapsBase }.sorted { $0.name < $1.name }.map {
            "\($0.name) \($0.version) has no perturbation (it exports no perturb entry): no sharpness.\($0.name)"
        }
    }

    /// `sharpness.<plugin>`.
    func sharpness(_ plugin: LoadedPlugin) throws -> MetricOutcome.Scalar {
        let start = Date()
        let value = plugin.supportsFloat64 ? try average(plugin, Double.self) : try average(plugin, Float.self)
        return MetricOutcome.Scalar(
            name: "sharpness.\(plugin.name)", value: value, standardError: nil, hvpCount: 0, seconds: Date().timeIntervalSince(start))
    }

    private func average<S: OptimizerScalar>(_ plugin: LoadedPlugin, _: S.Type) throws -> Double {
        let optimizer = try LoadedOptimizer(registry: registry, name: plugin.name, layout: context.subject.layout, elementType: S.self)
        let ids = context.evaluationBatches
        let total = Double(context.sampleCount(ids))
        let n = context.weights.count
        var w = context.weights.map { S($0) }
        var e = [S](repeating: 0, count: n)
        var scratch = [Double](repeating: 0, count: n)
        var sum = 0.0
        for id in ids {
            let oracle: GradientOracle<S> = { parameters, gradient, _ in
                let point = parameters.map { Double($0) }
                let loss = try point.withUnsafeBufferPointer { p in
                    try scratch.withUnsafeMutableBufferPointer { try context.gradient([id], at: p, into: $0) }
                }
                for i in 0..<n { gradient[i] = S(scratch[i]) }
                return loss
            }
            _ = try w.withUnsafeMutableBufferPointer { wp in
                try e.withUnsafeMutableBufferPointer { ep in try optimizer.perturbation(parameters: wp, into: ep, oracle: oracle) }
            }
            let perturbed = zip(context.weights, e).map { $0 + Double($1) }
            let clean = try context.loss([id], at: nil).loss
            let moved = try perturbed.withUnsafeBufferPointer { try context.loss([id], at: $0).loss }
            sum += Double(context.sampleCount([id])) / total * (moved - clean)
        }
        return sum
    }
}
