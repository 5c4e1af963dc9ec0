import Foundation
import Hashing
import NN
import PluginHost
import Tensor

/// The identity of a metric's results in the index (docs/daemon.md): the plugin, its version, and
/// the first 16 hex digits of the sha256 of a canonical JSON text
/// `{"evaluation":{…},"hyperparameters":{…},"request":"…"}` (sorted keys, no whitespace).
///
/// Both `sharpd` and `sharp study`'s in-process route key results by it: they must agree byte for
/// byte, or a checkpoint is scored twice and the study never finds the daemon's results. This is
/// the only place it is built (Tests/StudyTests/JobKeyAgreementTests.swift pins it).
public struct MetricJobKey: Sendable, Equatable {
    public var plugin: String
    public var version: String
    /// The first 16 hex digits of the sha256 of `parametersJSON`.
    public var parametersHash: String
    /// The canonical JSON text the hash is taken of.
    public var parametersJSON: String

    /// The key of `request` resolved against the metric plugin `registry` finds for it, with
    /// `evaluation` changed by the request's own host keys (`samples=`, `split=`, `batch=`).
    public init(request: MetricRequest, evaluation: EvaluationOptions, registry: PluginRegistry) throws {
        let plugin = try registry.metric(named: request.name)
        var values: [String: HyperparameterValue] = [:]
        for (key, text) in request.values { values[key] = try plugin.schema.parse(text, for: key) }
        let resolved = try plugin.schema.resolve(values)
        let json = Self.parametersJSON(
            request: request.description, hyperparametersJSON: plugin.schema.json(resolved),
            evaluation: request.overrides.applied(to: evaluation))
        self.init(plugin: plugin.name, version: plugin.version, parametersHash: Self.hash(json), parametersJSON: json)
    }

    /// A key as stored.
    public init(plugin: String, version: String, parametersHash: String, parametersJSON: String) {
        self.plugin = plugin
        self.version = version
        self.parametersHash = parametersHash
        self.parametersJSON = parametersJSON
    }

    /// The canonical parameter JSON.
    public static func parametersJSON(request: String, hyperparametersJSON: String, evaluation: EvaluationOptions) -> String {
        "{\"evaluation\":\(evaluationJSON(evaluation)),\"hyperparameters\":\(hyperparametersJSON),\"request\":\(quoted(request))}"
    }

    /// The evaluation settings as canonical JSON (absent values as null; `cacheBytes` is not a
    /// result-changing setting and stays out).
    public static func evaluationJSON(_ o: EvaluationOptions) -> String {
        let samples = o.sampleCount.map(String.init) ?? "null", batch = o.batchSize.map(String.init) ?? "null"
        return "{\"batch_size\":\(batch),\"mode\":\"\(o.mode.rawValue)\",\"precision\":\"\(o.precision.rawValue)\","
            + "\"samples\":\(samples),\"seed\":\(o.seed),\"split\":\"\(o.split.rawValue)\",\"subset_seed\":\(o.subsetSeed)}"
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

    /// A JSON string literal, as the daemon has always written the request (also the series labels).
    public static func quoted(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
