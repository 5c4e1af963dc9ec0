import Foundation

/// What the index stores about one readable checkpoint: its content hash and the manifest fields
/// queries filter and group on. The daemon fills it from `Checkpoint.Manifest`; JSON-valued
/// manifest fields arrive as JSON text (the Index module does not import Checkpoint).
public struct CheckpointRecord: Equatable, Sendable {
    /// Lowercase hex sha256 of the archive's bytes: the checkpoint's identity.
    public var sha256: String
    /// Archive size in bytes.
    public var sizeBytes: Int
    /// The training run's id (shared by all checkpoints of a run).
    public var runID: String
    /// When the checkpoint was written (manifest `createdAt`).
    public var createdAt: Date
    /// Version of the program that wrote it.
    public var softwareVersion: String
    /// Model-zoo name (`vgg-mini`).
    public var model: String
    /// The model configuration, JSON text.
    public var modelConfigJSON: String
    /// Optimizer plugin name (`sam`).
    public var optimizer: String
    /// Optimizer plugin version.
    public var optimizerVersion: String
    /// The base optimizer a SAM-family optimizer wraps (`adam`), nil for base optimizers.
    public var baseOptimizer: String?
    /// Hyperparameters as the plugin received them, a JSON object as text.
    public var hyperparametersJSON: String
    /// Dataset name (the spec's `kind`, e.g. `bus-synth`).
    public var dataset: String
    /// sha256 content fingerprint of the dataset.
    public var datasetFingerprint: String
    /// The dataset spec, JSON text.
    public var datasetSpecJSON: String
    /// Seed of the train/test split.
    public var splitSeed: UInt64
    /// Training-set size.
    public var trainCount: Int
    /// Test-set size.
    public var testCount: Int
    /// The run's seed.
    public var seed: UInt64
    /// Completed epochs.
    public var epoch: Int
    /// Completed optimizer steps.
    public var step: Int
    /// Mean training loss over the last epoch (from the manifest; NaN is stored as NULL).
    public var trainingLoss: Double
    /// Training accuracy over the last epoch, 0...1 (from the manifest).
    public var trainingAccuracy: Double
    /// Training wall-clock seconds so far.
    public var elapsedSeconds: Double
    /// Why training stopped, or `running`.
    public var stopReason: String
    /// Where the weights came from: `trained` (by `sharp train`) or `imported` (`sharp import`).
    public var provenance: String

    /// Describes a checkpoint; the fields tests rarely care about have defaults.
    public init(
        sha256: String, sizeBytes: Int = 0, runID: String, createdAt: Date, softwareVersion: String = "",
        model: String, modelConfigJSON: String = "{}", optimizer: String, optimizerVersion: String = "1.0.0",
        baseOptimizer: String? = nil, hyperparametersJSON: String = "{}", dataset: String = "bus-synth",
        datasetFingerprint: String = "", datasetSpecJSON: String = "{}", splitSeed: UInt64 = 0,
        trainCount: Int = 0, testCount: Int = 0, seed: UInt64, epoch: Int = 0, step: Int = 0,
        trainingLoss: Double = .nan, trainingAccuracy: Double = .nan, elapsedSeconds: Double = 0,
        stopReason: String = "", provenance: String = "trained"
    ) {
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.runID = runID
        self.createdAt = createdAt
        self.softwareVersion = softwareVersion
        self.model = model
        self.modelConfigJSON = modelConfigJSON
        self.optimizer = optimizer
        self.optimizerVersion = optimizerVersion
        self.baseOptimizer = baseOptimizer
        self.hyperparametersJSON = hyperparametersJSON
        self.dataset = dataset
        self.datasetFingerprint = datasetFingerprint
        self.datasetSpecJSON = datasetSpecJSON
        self.splitSeed = splitSeed
        self.trainCount = trainCount
        self.testCount = testCount
        self.seed = seed
        self.epoch = epoch
        self.step = step
        self.trainingLoss = trainingLoss
        self.trainingAccuracy = trainingAccuracy
        self.elapsedSeconds = elapsedSeconds
        self.stopReason = stopReason
        self.provenance = provenance
    }
}

/// The outcome of `upsertCheckpoint`.
public struct CheckpointUpsert: Equatable, Sendable {
    /// The checkpoint's row id.
    public var id: Int64
    /// True when this content hash was not indexed before (a new row).
    public var isNew: Bool
    /// True when this path was not yet recorded for this checkpoint.
    public var isNewPath: Bool
}
