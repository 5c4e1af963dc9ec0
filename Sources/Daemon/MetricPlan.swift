import Foundation
import Hashing
import Index
import IndexRecords
import JSON
import NN
import PluginHost
import Scoring

/// One metric computation the daemon schedules for every checkpoint: a request (`hessian-trace`,
/// `hessian-spectrum:mode=per-batch`) resolved against the plugin found now, plus the evaluation
/// settings. Its `key` identifies the results: a new plugin version or other parameters give a
/// new key, which is scored as missing while the old rows stay.
public struct PlannedMetric: Sendable, Equatable {
    /// The index key (plugin, version, parameter hash, parameter JSON).
    public let key: PluginKey
    /// The request as the user typed it.
    public let request: String
    /// The files of the plugins the results depend on: the metric's own, then (`sharpness`) the
    /// optimizers it measures. When one changes under the same version, the metric's failed jobs
    /// are retried.
    public let pluginFiles: [PluginFile]

    /// One plugin file's identity.
    public struct PluginFile: Sendable, Equatable {
        public let plugin: String, version: String, sha256: String

        /// A file.
        public init(plugin: String, version: String, sha256: String) {
            self.plugin = plugin
            self.version = version
            self.sha256 = sha256
        }
    }

    /// Resolves `request` against `registry` (which the caller loaded for this purpose only).
    public init(request: MetricRequest, evaluation: EvaluationOptions, registry: PluginRegistry) throws {
        key = PluginKey(try MetricJobKey(request: request, evaluation: evaluation, registry: registry))
        self.request = request.description
        let metric = try registry.metric(named: request.name)
        let used = [metric] + (metric.name == "sharpness" ? OptimizerSharpness.measured(in: registry) : [])
        pluginFiles = used.compactMap { plugin in
            FileManager.default.contents(atPath: plugin.path).map {
                PluginFile(plugin: plugin.name, version: plugin.version, sha256: SHA256.hex(of: [UInt8]($0)))
            }
        }
    }

    /// A planned metric read back from `sharpd plan` output.
    public init(key: PluginKey, request: String, pluginFiles: [PluginFile] = []) {
        self.key = key
        self.request = request
        self.pluginFiles = pluginFiles
    }
}

/// The plan: what every checkpoint gets scored with.
public enum MetricPlan {
    /// The requests to plan: the ones asked for, or else every metric plugin found, built-ins with
    /// the defaults of `sharp score` (hessian-spectrum twice: SLQ and per-batch), except the
    /// `skipped` ones and, in training mode, those that need evaluation mode (a plugin installed
    /// later is still picked up).
    public static func requests(asked: [MetricRequest], skipped: [String] = [], mode: Mode = .evaluation,
                                registry: PluginRegistry) -> [MetricRequest] {
        if !asked.isEmpty { return asked }
        let found = registry.plugins.filter {
            $0.kind == .metric && !skipped.contains($0.name) && (mode == .evaluation || !$0.usesSampleGradients)
        }.map(\.name)
        let builtIn = MetricRequest.defaults.filter { found.contains($0.name) }
        let others = found.filter { name in !builtIn.contains { $0.name == name } }.sorted()
        return builtIn + others.map { MetricRequest(name: $0, values: []) }
    }

    /// Resolves every request; fails on the first one that names no plugin or has bad values.
    public static func make(asked: [MetricRequest], skipped: [String] = [], evaluation: EvaluationOptions,
                            registry: PluginRegistry) throws -> [PlannedMetric]
    {
        try requests(asked: asked, skipped: skipped, mode: evaluation.mode, registry: registry).map {
            try PlannedMetric(request: $0, evaluation: evaluation, registry: registry)
        }
    }

    /// One JSON object per line: what `sharpd plan` prints and the daemon reads.
    public static func encode(_ plan: [PlannedMetric]) -> String {
        plan.map { p in
            JSONValue.object([
                "plugin": .string(p.key.plugin), "version": .string(p.key.version), "params_hash": .string(p.key.paramsHash),
                "params": .string(p.key.paramsJSON ?? "{}"), "request": .string(p.request),
                "files": .array(p.pluginFiles.map { .object(["plugin": .string($0.plugin), "version": .string($0.version), "sha256": .string($0.sha256)]) }),
            ]).text
        }.joined(separator: "\n")
    }

    /// Parses `encode`'s output.
    public static func decode(_ text: String) throws -> [PlannedMetric] {
        try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let plugin = object["plugin"] as? String, let version = object["version"] as? String,
                let hash = object["params_hash"] as? String, let params = object["params"] as? String,
                let request = object["request"] as? String
            else { throw DaemonError.protocolViolation("malformed plan line: \(line)") }
            let files = (object["files"] as? [[String: Any]] ?? []).compactMap { f -> PlannedMetric.PluginFile? in
                guard let p = f["plugin"] as? String, let v = f["version"] as? String, let sha = f["sha256"] as? String else { return nil }
                return PlannedMetric.PluginFile(plugin: p, version: v, sha256: sha)
            }
            return PlannedMetric(key: PluginKey(plugin: plugin, version: version, paramsHash: hash, paramsJSON: params),
                                 request: request, pluginFiles: files)
        }
    }
}

/// What a job's parameter JSON holds: the request, the plugin's resolved hyperparameters (so the
/// hash changes when a new plugin version changes a default) and the evaluation settings.
public struct JobParameters: Sendable, Equatable {
    /// `NAME[:k=v,...]` as typed.
    public var request: String
    /// The resolved hyperparameters as the plugin's schema prints them (JSON object text).
    public var hyperparametersJSON: String
    /// Data and model settings of the evaluation.
    public var evaluation: EvaluationOptions
    /// `sharpness`: the optimizer plugins it measures (`name@version`), as `MetricJobKey` names them.
    public var optimizers: [String]?

    /// Canonical JSON text (sorted keys, no whitespace): hashed into the key, stored in the index.
    public var json: String {
        MetricJobKey.parametersJSON(request: request, hyperparametersJSON: hyperparametersJSON, evaluation: evaluation, optimizers: optimizers)
    }

    /// The parameter hash: the first 16 hex digits of the JSON's sha256.
    public static func hash(_ json: String) -> String { MetricJobKey.hash(json) }

    /// Reads a job's parameter JSON back.
    public init(json: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let request = object["request"] as? String, let evaluation = object["evaluation"] as? [String: Any]
        else { throw DaemonError.protocolViolation("job parameters are not what sharpd writes: \(json)") }
        self.request = request
        hyperparametersJSON = ""
        guard let settings = MetricJobKey.evaluation(from: evaluation) else {
            throw DaemonError.protocolViolation("job evaluation settings are not what sharpd writes: \(evaluation)")
        }
        self.evaluation = settings
        optimizers = object["optimizers"] as? [String]
    }

    /// Parameters of a planned metric.
    public init(request: String, hyperparametersJSON: String, evaluation: EvaluationOptions) {
        self.request = request
        self.hyperparametersJSON = hyperparametersJSON
        self.evaluation = evaluation
    }
}
