import NN
import PluginHost

/// One metric to run, as a user writes it: `NAME[:key=value,...]`, e.g.
/// `hessian-eigen:method=power,k=3` or `hessian-spectrum:mode=per-batch`.
public struct MetricRequest: Sendable, Equatable, CustomStringConvertible {
    /// The metric plugin's registered name.
    public let name: String
    /// Hyperparameter values as typed (parsed against the plugin's schema when it runs); the
    /// host keys of `overrides` are not among them.
    public let values: [(key: String, value: String)]
    /// Evaluation data this metric asks for instead of the run's (`samples=`, `split=`, `batch=`).
    public let overrides: EvaluationOverrides
    /// Every key=value in the order typed, host keys included: `description` prints these.
    private let typed: [(key: String, value: String)]

    /// The defaults of `sharp score` (docs/metrics.md): every built-in metric with its defaults,
    /// plus the spectrum's per-batch mode, the definition the study's tables fit (docs/algorithms.md#per-batch-mode).
    public static let defaults = [
        MetricRequest(name: "accuracy", values: []), MetricRequest(name: "hessian-eigen", values: []),
        MetricRequest(name: "hessian-trace", values: []), MetricRequest(name: "hessian-spectrum", values: []),
        MetricRequest(name: "hessian-spectrum", values: [("mode", "per-batch")]), MetricRequest(name: "sharpness", values: []),
        MetricRequest(name: "fisher", values: []),
    ]

    /// The defaults of `sharp score` for a full-size model (resnet50, vgg16, vit-b16, swin-t, ...;
    /// `ModelZoo.isFullSize`), whose products cost hundreds of times a mini's: accuracy, λmax by
    /// Lanczos in at most 12 products, and the trace from 16 Hutchinson probes: at most 28 HVPs,
    /// which for a resnet50 at 3×224×224 over 128 samples fit in 30 minutes on 2 cores
    /// (docs/metrics.md, the full-size budget).
    public static let fullSizeDefaults = [
        MetricRequest(name: "accuracy", values: []), MetricRequest(name: "hessian-eigen", values: [("k", "1"), ("max_steps", "12")]),
        MetricRequest(name: "hessian-trace", values: [("probes", "16")]),
    ]

    /// The defaults for a model mode: in training mode without the metrics that need per-sample
    /// gradients (`LoadedPlugin.usesSampleGradients`), which the host gives in evaluation mode only.
    public static func defaults(for mode: Mode, registry: PluginRegistry) -> [MetricRequest] {
        mode == .evaluation ? defaults : defaults.filter { registry.plugin(.metric, named: $0.name)?.usesSampleGradients != true }
    }

    /// A request.
    public init(name: String, values: [(key: String, value: String)]) {
        self.name = name
        self.values = values
        overrides = EvaluationOverrides()
        typed = values
    }

    private init(name: String, typed: [(key: String, value: String)], text: String) throws {
        var overrides = EvaluationOverrides()
        for (key, value) in typed where EvaluationOverrides.keys.contains(key) { try overrides.set(key, value, request: text) }
        self.name = name
        self.typed = typed
        self.overrides = overrides
        values = typed.filter { !EvaluationOverrides.keys.contains($0.key) }
    }

    /// Parses `NAME[:k=v,...]`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, !name.contains("=") else {
            throw ScoringError.invalidRequest("'\(text)' is not NAME[:key=value,...]")
        }
        var values: [(key: String, value: String)] = []
        if parts.count == 2 {
            for item in parts[1].split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw ScoringError.invalidRequest("metric '\(text)': expected key=value after ':', got '\(item)'")
                }
                if values.contains(where: { $0.key == kv[0] }) { throw ScoringError.invalidRequest("metric '\(text)': \(kv[0]) given twice") }
                values.append((kv[0], kv[1]))
            }
        }
        try self.init(name: name, typed: values, text: text)
    }

    /// As typed.
    public var description: String {
        typed.isEmpty ? name : name + ":" + typed.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    public static func == (a: MetricRequest, b: MetricRequest) -> Bool { a.description == b.description }
}
