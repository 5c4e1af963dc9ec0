import Datasets
import NN
import PluginHost

/// Everything that determines a training run; recorded in every checkpoint it writes.
public struct TrainingConfiguration: Sendable {
    public var model: ModelConfiguration
    public var dataset: DatasetSpec
    /// Optimizer plugin name (`adam`, `sam`, ...), its base for wrappers (nil: the plugin's default).
    public var optimizer: String
    public var baseOptimizer: String?
    /// Hyperparameters by key (`rho`, `base.beta1`, ...); `lr` is also settable via `learningRate`.
    public var hyperparameters: [String: HyperparameterValue]
    public var learningRate: Double
    public var batchSize: Int
    /// Hard cap on epochs.
    public var maxEpochs: Int
    /// Stop once the epoch's train accuracy reaches this (the study: 1.0), if set.
    public var untilTrainAccuracy: Double?
    /// Seed of weight initialisation, shuffling and dropout (deterministic per epoch and step).
    public var seed: UInt64
    /// Write a checkpoint every N epochs (0: only the final one).
    public var checkpointEvery: Int
    /// Directory the checkpoints go to.
    public var store: String
    /// Run identifier; checkpoint names are `<runID>-e<epoch>.ckpt.tar.zst`.
    public var runID: String

    public init(
        model: ModelConfiguration, dataset: DatasetSpec, optimizer: String, baseOptimizer: String? = nil,
        hyperparameters: [String: HyperparameterValue] = [:], learningRate: Double = 1e-4, batchSize: Int = 16,
        maxEpochs: Int = 100, untilTrainAccuracy: Double? = nil, seed: UInt64 = 0, checkpointEvery: Int = 0,
        store: String = "store", runID: String
    ) {
        self.model = model
        self.dataset = dataset
        self.optimizer = optimizer
        self.baseOptimizer = baseOptimizer
        self.hyperparameters = hyperparameters
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.maxEpochs = maxEpochs
        self.untilTrainAccuracy = untilTrainAccuracy
        self.seed = seed
        self.checkpointEvery = checkpointEvery
        self.store = store
        self.runID = runID
    }
}

/// Failures a user can act on.
public enum TrainingError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case dataset(String)
    case optimizer(String)
    case checkpoint(String)
    case nonFiniteLoss(epoch: Int, step: Int, value: Double)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m), .dataset(let m), .optimizer(let m), .checkpoint(let m): return m
        case .nonFiniteLoss(let epoch, let step, let value):
            return "the loss became \(value) at epoch \(epoch), step \(step); lower --lr or check the data"
        }
    }
}
