import Foundation
import PluginHost

/// Scores one checkpoint: runs metric plugins against its evaluation context and collects what
/// they report. The context (and its cache of batch linearisations) is shared by every metric
/// run on the same scorer, so the Hessian metrics after the first reuse the recorded graphs.
/// A request with host keys (`samples=all`, ...: `EvaluationOverrides`) runs on a context of its
/// own over the same loaded model and dataset, made on first use and shared by requests alike.
public final class Scorer {
    /// The checkpoint and its data, as the options given at creation select them.
    public let context: EvaluationContext
    /// Where metric and optimizer plugins come from.
    public let registry: PluginRegistry
    /// Whether `sharpness` also reports `sharpness.<optimizer>` for every optimizer plugin with
    /// a perturbation (docs/metrics.md §sharpness).
    public var includeOptimizerSharpness = true
    /// Contexts for requests that override the evaluation data, `context` first.
    private var contexts: [EvaluationContext]

    /// A scorer over a checkpoint already loaded.
    public init(subject: ScoringSubject, options: EvaluationOptions, registry: PluginRegistry) throws {
        context = try EvaluationContext(subject: subject, options: options)
        contexts = [context]
        self.registry = registry
    }

    /// The context `request` runs on: `context`, or one with its overrides applied.
    public func context(for request: MetricRequest) throws -> EvaluationContext {
        let options = request.overrides.applied(to: context.options)
        if let existing = contexts.first(where: { $0.options == options }) { return existing }
        let made = try EvaluationContext(subject: context.subject, options: options)
        contexts.append(made)
        return made
    }

    /// Drops every context's cached linearisations (the memory goes back before the next checkpoint).
    public func releaseCaches() { for c in contexts { c.releaseCache() } }

    /// Reads the checkpoint at `path` (model in `options.precision`, dataset rebuilt and checked).
    public convenience init(checkpoint path: String, options: EvaluationOptions, registry: PluginRegistry) throws {
        try self.init(subject: try ScoringSubject(path: path, precision: options.precision), options: options, registry: registry)
    }

    /// Runs one metric. `progress` receives the fraction done (per-batch metrics: batches done).
    public func run(_ request: MetricRequest, progress: ((Double) -> Void)? = nil) throws -> MetricOutcome {
        let plugin: LoadedPlugin
        do { plugin = try registry.metric(named: request.name) } catch { throw ScoringError.invalidRequest("\(error)") }
        if let clash = plugin.schema.properties.first(where: { EvaluationOverrides.keys.contains($0.name) }) {
            throw ScoringError.invalidRequest(
                "metric plugin \(plugin.name) declares the parameter '\(clash.name)', a name the host reserves for per-metric evaluation data (\(EvaluationOverrides.keys.sorted().joined(separator: ", "))); rename it in the plugin")
        }
        var values: [String: HyperparameterValue] = [:]
        let resolved: [String: HyperparameterValue]
        do {
            for (key, text) in request.values { values[key] = try plugin.schema.parse(text, for: key) }
            resolved = try plugin.schema.resolve(values)
        } catch {
            throw ScoringError.invalidRequest("metric \(request.name): \(error)")
        }
        let context = try context(for: request)
        let before = context.counters
        let clock = Date()
        var outcome = MetricOutcome(request: request.description, plugin: plugin.name, version: plugin.version,
                                    hyperparameters: plugin.schema.json(resolved), scalars: [], series: [], seconds: 0,
                                    counters: EvaluationCounters(), notes: [],
                                    shortNames: Dictionary(plugin.outputs.compactMap { o in o.shortName.map { (o.name, $0) } }) { a, _ in a })
        do {
            if resolved["mode"] == .string("per-batch") {
                try runPerBatch(plugin, values, on: context, into: &outcome, progress: progress)
            } else {
                let results = try evaluate(plugin, values, on: context, evaluation: nil, seed: context.options.seed) {
                    progress?($0)
                    return true
                }
                append(results, to: &outcome)
            }
            if plugin.name == "sharpness", includeOptimizerSharpness {
                outcome.scalars += try OptimizerSharpness(context: context, registry: registry).all()
                outcome.notes += OptimizerSharpness.skippedNotes(in: registry)
            }
        } catch let error as ScoringError {
            throw error
        } catch {
            throw ScoringError.metricFailed(metric: request.name, reason: "\(error)")
        }
        outcome.seconds = Date().timeIntervalSince(clock)
        outcome.counters = context.counters.since(before)
        return outcome
    }

    func evaluate(_ plugin: LoadedPlugin, _ values: [String: HyperparameterValue], on context: EvaluationContext,
                  evaluation: [Int]?, seed: UInt64, progress: @escaping (Double) -> Bool) throws -> MetricResults {
        let ids = evaluation ?? context.evaluationBatches
        return try plugin.evaluateMetric(parameters: context.weights, layout: context.subject.layout, seed: seed,
                                         sampleCount: context.sampleCount(ids), hyperparameters: values,
                                         callbacks: context.callbacks(evaluation: evaluation, progress: progress))
    }

    func append(_ results: MetricResults, to outcome: inout MetricOutcome) {
        outcome.scalars += results.scalars.map {
            MetricOutcome.Scalar(name: $0.name, value: $0.value, standardError: $0.standardError, hvpCount: $0.hvpCount, seconds: $0.seconds)
        }
        outcome.series += results.series.map { MetricOutcome.Series(name: $0.name, xLabel: $0.xLabel, yLabel: $0.yLabel, x: $0.x, y: $0.y) }
    }

    /// Per-batch scope (docs/algorithms.md#per-batch-mode): the metric runs once per batch of the evaluation
    /// subset with its evaluation data narrowed to that batch, reports one scalar each time, and
    /// the host summarises those values over batches. The ABI has no batch-scoped callbacks, so
    /// the host does the looping (docs/metrics.md).
    func runPerBatch(_ plugin: LoadedPlugin, _ values: [String: HyperparameterValue], on context: EvaluationContext,
                     into outcome: inout MetricOutcome, progress: ((Double) -> Void)?) throws {
        let ids = context.evaluationBatches
        var perBatch: [Double] = [], products = 0, seconds = 0.0
        for (i, id) in ids.enumerated() {
            let results = try evaluate(plugin, values, on: context, evaluation: [id], seed: context.options.seed &+ UInt64(i)) { _ in true }
            guard results.scalars.count == 1, let s = results.scalars.first else {
                throw ScoringError.metricFailed(metric: plugin.name, reason: "in per-batch mode a metric must report exactly one scalar per batch, got \(results.scalars.count)")
            }
            perBatch.append(s.value)
            products += s.hvpCount
            seconds += s.seconds
            progress?(Double(i + 1) / Double(ids.count))
        }
        outcome.scalars += PerBatchSummary(values: perBatch).scalars(hvpCount: products, seconds: seconds)
        outcome.series.append(MetricOutcome.Series(name: "per_batch", xLabel: "batch", yLabel: "top_eigenvalue",
                                                   x: perBatch.indices.map(Double.init), y: perBatch))
    }
}
