import Foundation
import Hashing
import JSON
import NN
import PluginHost
import Tensor

/// The identity of a metric's results in the index (docs/daemon.md): the plugin, its version, and
/// the first 16 hex digits of the sha256 of a canonical JSON text
/// `{"evaluation":{…},"hyperparameters":{…},"request":"…"}` (sorted keys but the hyperparameters'
/// declaration order, no whitespace). A `sharpness` request that measures the optimizer plugins
/// (`Scorer.includeOptimizerSharpness`) also names them, `"optimizers":["asam@1.0.0",…]` by name,
/// so installing, removing or upgrading one gives new jobs.
///
/// Both `sharpd` and `sharp study`'s in-process route key results by it: they must agree byte for
/// byte, or a checkpoint is scored twice and the study never finds the daemon's results; and its
/// bytes must not change, or every store is scored again. This is the only place it is built
/// (Tests/StudyTests/JobKeyAgreementTests.swift pins it, against Fixtures/job-keys.tsv there).
public struct MetricJobKey: Sendable, Equatable {
    public var plugin: String
    public var version: String
    /// The first 16 hex digits of the sha256 of `parametersJSON`.
    public var parametersHash: String
    /// The canonical JSON text the hash is taken of.
    public var parametersJSON: String

    /// The key of `request` resolved against the metric plugin `registry` finds for it, with
    /// `evaluation` changed by the request's own host keys (`samples=`, `split=`, `batch=`).
    public init(request: MetricRequest, evaluation: EvaluationOptions, registry: PluginRegistry, optimizerSharpness: Bool = true) throws {
        let plugin = try registry.metric(named: request.name)
        var values: [String: HyperparameterValue] = [:]
        for (key, text) in request.values { values[key] = try plugin.schema.parse(text, for: key) }
        let resolved = try plugin.schema.resolve(values)
        let optimizers = plugin.name == "sharpness" && optimizerSharpness
            ? OptimizerSharpness.measured(in: registry).map { "\($0.name)@\($0.version)" } : nil
        let json = Self.parametersJSON(
            request: request.description, hyperparametersJSON: plugin.schema.json(resolved),
            evaluation: request.overrides.applied(to: evaluation), optimizers: optimizers)
        self.init(plugin: plugin.name, version: plugin.version, parametersHash: Self.hash(json), parametersJSON: json)
    }

    /// A key as stored.
    public init(plugin: String, version: String, parametersHash: String, parametersJSON: String) {
        self.plugin = plugin
        self.version = version
        self.parametersHash = parametersHash
        self.parametersJSON = parametersJSON
    }

    /// The canonical parameter JSON (the hyperparameters embedded as the schema wrote them, in
    /// declaration order; `optimizers` only when given).
    public static func parametersJSON(request: String, hyperparametersJSON: String, evaluation: EvaluationOptions,
                                      optimizers: [String]? = nil) -> String {
        var members: [String: JSONValue] = [
            "evaluation": evaluationJSON(evaluation), "hyperparameters": .raw(hyperparametersJSON), "request": .string(request),
        ]
        if let optimizers { members["optimizers"] = .array(optimizers.map { .string($0) }) }
        return JSONValue.object(members).text
    }

    /// The evaluation settings as JSON (absent values as null; `cacheBytes` is not a
    /// result-changing setting and stays out).
    public static func evaluationJSON(_ o: EvaluationOptions) -> JSONValue {
        [
            "batch_size": o.batchSize.map { .integer(Int64($0)) } ?? .null, "mode": .string(o.mode.rawValue),
            "precision": .string(o.precision.rawValue), "samples": o.sampleCount.map { .integer(Int64($0)) } ?? .null,
            "seed": .unsigned(o.seed), "split": .string(o.split.rawValue), "subset_seed": .unsigned(o.subsetSeed),
        ]
    }

    /// Reads `evaluationJSON`'s object back (as parsed by JSONSerialization); nil when it is not
    /// what that writes. `cacheBytes` keeps its default.
    public static func evaluation(from object: [String: Any]) -> EvaluationOptions? {
        func integer(_ key: String) -> Int? { (object[key] as? NSNumber)?.intValue }
        func unsigned(_ key: String) -> UInt64 { (object[key] as? NSNumber)?.uint64Value ?? 0 }
        guard let split = (object["split"] as? String).flatMap(EvaluationOptions.Split.init(rawValue:)),
            let mode = (object["mode"] as? String).flatMap(Mode.init(rawValue:)),
            let precision = (object["precision"] as? String).flatMap(DType.init(rawValue:))
        else { return nil }
        var o = EvaluationOptions()
        o.split = split
        o.mode = mode
        o.precision = precision
        o.sampleCount = integer("samples")
        o.batchSize = integer("batch_size")
        o.subsetSeed = unsigned("subset_seed")
        o.seed = unsigned("seed")
        return o
    }

    /// The first 16 hex digits of the sha256 of `json`'s UTF-8 bytes.
    public static func hash(_ json: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(json.utf8))
        return String(SHA256.hexString(hasher.finalize()).prefix(16))
    }
}
