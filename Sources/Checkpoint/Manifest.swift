import JSON

/// `manifest.json`: everything needed to interpret, resume or score a checkpoint without
/// opening the tensors. Every field is documented in docs/checkpoint-format.md.
public struct Manifest: Codable, Equatable, Sendable {
    /// The value of `format` in every Sharp checkpoint.
    public static let formatName = "sharp-checkpoint"
    /// The newest `formatVersion` this Sharp reads. A manifest is written with the lowest
    /// version whose readers understand it (`requiredFormatVersion`): 1 for what Sharp's own
    /// trainer writes with the default data, 2 once it carries provenance, no optimizer state,
    /// or preprocessed data (docs/checkpoint-format.md §2).
    public static let currentFormatVersion = 2
    /// `optimizer.plugin` of a checkpoint that holds no optimizer state (an imported one):
    /// `optimizer.safetensors` is then empty and the checkpoint can be scored but not resumed.
    public static let noOptimizer = "none"

    /// Always `"sharp-checkpoint"`.
    public var format: String
    /// Schema version; bumped on any change an older reader would misread.
    public var formatVersion: Int
    /// Identifies the training run (shared by all its checkpoints).
    public var runID: String
    /// When the checkpoint was written, ISO 8601 with a time zone (`2026-05-01T12:00:00Z`).
    public var createdAt: String
    /// The program that wrote it.
    public var software: Software
    /// Architecture and its configuration.
    public var model: Model
    /// How to rebuild the exact train and test sets.
    public var dataset: Dataset
    /// The optimizer plugin and its settings.
    public var optimizer: Optimizer
    /// Where training stood.
    public var training: Training
    /// Where the weights came from when Sharp did not train them (format 2); nil: `sharp train`.
    public var provenance: Provenance?
    /// Every tensor in `model.safetensors` and `optimizer.safetensors`; filled in by
    /// `Checkpoint.write`, checked by `Checkpoint.read`.
    public var tensors: [TensorRecord]
    /// Size and sha256 of the other three entries; filled in by `Checkpoint.write`, checked by
    /// `Checkpoint.read` (zstd frames written by libarchive carry no checksum of their own).
    public var files: [String: FileRecord]
    /// sha256 of this manifest's own bytes with this value replaced by 64 zeros; filled in
    /// by `jsonBytes()`, checked by `Checkpoint.read`, so a damaged manifest is caught too.
    public var manifestSHA256: String

    /// A manifest of the current format; `tensors` and `files` are computed when written.
    public init(
        runID: String, createdAt: String, software: Software, model: Model, dataset: Dataset,
        optimizer: Optimizer, training: Training
    ) {
        format = Self.formatName
        formatVersion = 1  // `Checkpoint.write` stores `requiredFormatVersion`
        self.runID = runID
        self.createdAt = createdAt
        self.software = software
        self.model = model
        self.dataset = dataset
        self.optimizer = optimizer
        self.training = training
        tensors = []
        files = [:]
        manifestSHA256 = ""
    }

    /// Whether `optimizer.safetensors` holds the optimizer's state, so training can resume.
    public var hasOptimizerState: Bool { optimizer.plugin != Self.noOptimizer }

    /// The lowest format version whose readers understand this manifest: 2 when it uses a field
    /// or convention that a version-1 reader would misread, else 1.
    public var requiredFormatVersion: Int {
        if provenance != nil || !hasOptimizerState || dataset.spec["preprocessing"] != nil { return 2 }
        return 1
    }

    /// Weights made elsewhere and brought in by `sharp import`.
    public struct Provenance: Codable, Equatable, Sendable {
        /// `imported`.
        public var source: String
        /// The imported file's name (without its directory).
        public var file: String
        /// The imported file's sha256, lowercase hex.
        public var sha256: String
        /// Its safetensors `__metadata__`.
        public var metadata: [String: String]
        /// What the import changed, one line each (`52 F16 tensors converted to F32`, ...).
        public var conversions: [String]
        /// Describes an import.
        public init(source: String = "imported", file: String, sha256: String, metadata: [String: String], conversions: [String]) {
            self.source = source
            self.file = file
            self.sha256 = sha256
            self.metadata = metadata
            self.conversions = conversions
        }
    }

    /// The program that wrote the checkpoint.
    public struct Software: Codable, Equatable, Sendable {
        /// `"sharp"`.
        public var name: String
        /// Its version string.
        public var version: String
        /// The git commit it was built from (`-dirty` appended for a modified tree); absent in
        /// checkpoints written before Sharp 0.2.
        public var commit: String?
        /// What float32 results depend on besides the code: the CPU it ran on
        /// (`AMD EPYC (family 26, model 2)`)...
        public var cpu: String?
        /// ...and the BLAS kernel (`OpenBLAS 0.3.21 Cooperlake`).
        public var blas: String?
        /// Names a writer.
        public init(name: String, version: String, commit: String? = nil, cpu: String? = nil, blas: String? = nil) {
            self.name = name
            self.version = version
            self.commit = commit
            self.cpu = cpu
            self.blas = blas
        }
    }

    /// The architecture.
    public struct Model: Codable, Equatable, Sendable {
        /// Model zoo name (`vgg-mini`).
        public var name: String
        /// The model's own configuration (channels, input size, classes, ...).
        public var config: JSONValue
        /// Names a model and its configuration.
        public init(name: String, config: JSONValue) {
            self.name = name
            self.config = config
        }
    }

    /// The data, precisely enough to rebuild the same split.
    public struct Dataset: Codable, Equatable, Sendable {
        /// The dataset spec the data layer rebuilds from (kind, path or generator seed, size, ...).
        public var spec: JSONValue
        /// sha256 content fingerprint of the dataset, checked on rebuild.
        public var fingerprint: String
        /// Seed of the stratified train/test split.
        public var splitSeed: UInt64
        /// Number of training examples.
        public var trainCount: Int
        /// Number of test examples.
        public var testCount: Int
        /// Describes a dataset and its split.
        public init(spec: JSONValue, fingerprint: String, splitSeed: UInt64, trainCount: Int, testCount: Int) {
            self.spec = spec
            self.fingerprint = fingerprint
            self.splitSeed = splitSeed
            self.trainCount = trainCount
            self.testCount = testCount
        }
    }

    /// The optimizer plugin.
    public struct Optimizer: Codable, Equatable, Sendable {
        /// Plugin name (`sam`).
        public var plugin: String
        /// Plugin version.
        public var version: String
        /// Hyperparameters as the plugin received them.
        public var hyperparameters: JSONValue
        /// Names an optimizer plugin and its settings.
        public init(plugin: String, version: String, hyperparameters: JSONValue) {
            self.plugin = plugin
            self.version = version
            self.hyperparameters = hyperparameters
        }
    }

    /// Training state when the checkpoint was written.
    public struct Training: Codable, Equatable, Sendable {
        /// Completed epochs.
        public var epoch: Int
        /// Completed optimizer steps.
        public var step: Int
        /// The run's seed (initialisation, shuffling, dropout).
        public var seed: UInt64
        /// Mean training loss over the last epoch (may be NaN or Infinity after divergence).
        public var trainLoss: Double
        /// Training accuracy over the last epoch, 0...1.
        public var trainAccuracy: Double
        /// Wall-clock training time so far.
        public var elapsedSeconds: Double
        /// Why training stopped (`max-epochs`, `early-stopping`, ...), or `running`.
        public var stopReason: String
        /// Describes the training state.
        public init(
            epoch: Int, step: Int, seed: UInt64, trainLoss: Double, trainAccuracy: Double, elapsedSeconds: Double,
            stopReason: String
        ) {
            self.epoch = epoch
            self.step = step
            self.seed = seed
            self.trainLoss = trainLoss
            self.trainAccuracy = trainAccuracy
            self.elapsedSeconds = elapsedSeconds
            self.stopReason = stopReason
        }
    }

    /// One tensor of one safetensors entry.
    public struct TensorRecord: Codable, Equatable, Sendable {
        /// `model.safetensors` or `optimizer.safetensors`.
        public var file: String
        /// The tensor's key.
        public var name: String
        /// `F32` or `F64`.
        public var dtype: String
        /// Extents, outermost first.
        public var shape: [Int]
        /// Describes a tensor.
        public init(file: String, name: String, dtype: String, shape: [Int]) {
            self.file = file
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }
    }

    /// Size and digest of one archive entry.
    public struct FileRecord: Codable, Equatable, Sendable {
        /// Length in bytes.
        public var bytes: Int
        /// Lowercase hexadecimal sha256.
        public var sha256: String
        /// Describes an entry's bytes.
        public init(bytes: Int, sha256: String) {
            self.bytes = bytes
            self.sha256 = sha256
        }
    }
}
