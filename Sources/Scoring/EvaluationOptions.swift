import NN
import Tensor

/// What data and settings the metric callbacks use (docs/metrics.md, docs/algorithms.md#what-a-metric-records).
public struct EvaluationOptions: Sendable, Equatable {
    /// Which split the evaluation subset is drawn from.
    public enum Split: String, Sendable, CaseIterable, Codable {
        case train, test
    }

    /// The split of the evaluation subset (the Hessian metrics' data). Default: train.
    public var split: Split = .train
    /// Samples in the subset: nil for the whole split, else the first N of a seeded permutation
    /// (the whole split when it has N or fewer).
    public var sampleCount: Int?
    /// Seed of that permutation.
    public var subsetSeed: UInt64 = 0
    /// Images per batch; nil: the checkpoint's training batch size (16 if not recorded).
    public var batchSize: Int?
    /// Model mode: evaluation (running BatchNorm statistics, no dropout; the default, as
    /// PyHessian) or training (batch statistics; dropout masks fixed per batch).
    public var mode: Mode = .evaluation
    /// Element type the model runs in; callbacks always accumulate in Float64.
    public var precision: DType = .float32
    /// Seed handed to metrics for their probes.
    public var seed: UInt64 = 0
    /// Memory the per-batch linearisation cache may add to the process (bytes).
    public var cacheBytes: Int = 4 << 30
    /// A cap on the process's resident memory while it scores (bytes), or nil for none. In
    /// evaluation mode without an explicit `batchSize`, the context then splits batches into
    /// micro-batches small enough for one exact HVP to fit, and shrinks the cache to what is
    /// left (`MemoryPlan`). Results equal the unsplit ones up to rounding (every batch is
    /// weighted by its size), so, like `cacheBytes`, it is not part of a job's key.
    public var memoryBytes: Int?

    /// The defaults of the library: the whole split.
    public init() {}

    /// These options with other memory bounds (the fields that do not change results).
    public func withCache(_ bytes: Int, memory: Int? = nil) -> EvaluationOptions {
        var o = self
        o.cacheBytes = bytes
        o.memoryBytes = memory
        return o
    }

    /// The command lines' default memory cap: 6 GiB, or half the machine's memory if that is less.
    public static var defaultMemoryBytes: Int { min(6 << 30, MemoryPlan.physicalBytes / 2) }

    /// The defaults of the command lines (`sharp score`, `sharpd`): 128 samples of the training
    /// split, the Hessian metrics' default budget (docs/metrics.md).
    public static var commandLineDefaults: EvaluationOptions {
        var options = EvaluationOptions()
        options.sampleCount = 128
        return options
    }

    /// What the command lines' evaluation options say, over `commandLineDefaults`: `samples` is
    /// a sample count or `all` (the whole split).
    public init(split: Split, samples: String, subsetSeed: UInt64, batchSize: Int?, mode: Mode, precision: DType, seed: UInt64) {
        self = .commandLineDefaults
        (self.split, self.subsetSeed, self.batchSize) = (split, subsetSeed, batchSize)
        (self.mode, self.precision, self.seed) = (mode, precision, seed)
        sampleCount = samples == "all" ? nil : Int(samples)
    }
}
