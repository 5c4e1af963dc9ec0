import Foundation
import NN
import Scoring
import Tensor

/// The evaluation settings the daemon scores with (`--samples`, `--split`, ...), in a form that
/// goes into a job's parameter JSON, so results computed on other data never share a key.
public struct EvaluationSettings: Sendable, Equatable {
    /// Split of the Hessian metrics' data.
    public var split: EvaluationOptions.Split = .train
    /// Samples of that split (nil: all of it).
    public var sampleCount: Int? = 128
    /// Seed of the permutation the subset is the head of.
    public var subsetSeed: UInt64 = 0
    /// Images per batch (nil: the checkpoint's training batch size).
    public var batchSize: Int?
    /// Model mode.
    public var mode: Mode = .evaluation
    /// Element type the model runs in.
    public var precision: DType = .float32
    /// Seed of the metrics' random probes.
    public var seed: UInt64 = 0

    /// The defaults of `sharp score`.
    public init() {}

    /// As Scoring takes them; `cacheBytes` bounds the per-batch graph cache.
    public func options(cacheBytes: Int) -> EvaluationOptions {
        var o = EvaluationOptions()
        o.split = split
        o.sampleCount = sampleCount
        o.subsetSeed = subsetSeed
        o.batchSize = batchSize
        o.mode = mode
        o.precision = precision
        o.seed = seed
        o.cacheBytes = cacheBytes
        return o
    }

    /// These settings with a metric's own evaluation data put in (`samples=all`, ...).
    public func applying(_ overrides: EvaluationOverrides) -> EvaluationSettings {
        var s = self
        if let count = overrides.sampleCount { s.sampleCount = count }
        if let split = overrides.split { s.split = split }
        if let batch = overrides.batchSize { s.batchSize = batch }
        return s
    }

    /// Canonical JSON object text (sorted keys; absent values as null), as the job key holds it.
    public var json: String { MetricJobKey.evaluationJSON(options(cacheBytes: 0)) }

    /// Reads `json`'s object back.
    init(object: [String: Any]) throws {
        func integer(_ key: String) -> Int? { (object[key] as? NSNumber)?.intValue }
        func unsigned(_ key: String) -> UInt64 { (object[key] as? NSNumber)?.uint64Value ?? 0 }
        guard let split = (object["split"] as? String).flatMap(EvaluationOptions.Split.init(rawValue:)),
            let mode = (object["mode"] as? String).flatMap(Mode.init(rawValue:)),
            let precision = (object["precision"] as? String).flatMap(DType.init(rawValue:))
        else { throw DaemonError.protocolViolation("job evaluation settings are not what sharpd writes: \(object)") }
        self.split = split
        self.mode = mode
        self.precision = precision
        sampleCount = integer("samples")
        batchSize = integer("batch_size")
        subsetSeed = unsigned("subset_seed")
        seed = unsigned("seed")
    }
}
