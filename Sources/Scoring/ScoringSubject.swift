import Checkpoint
import Datasets
import Foundation
import JSON
import NN
import PluginHost
import Tensor

/// A checkpoint made ready to score: its model rebuilt from the manifest with the stored weights
/// loaded, and its dataset rebuilt from the recorded spec (fingerprint checked), so the metrics
/// see exactly the data and weights of training.
public struct ScoringSubject: Sendable {
    /// The checkpoint's path.
    public let path: String
    /// Its manifest.
    public let manifest: Manifest
    /// The model with the checkpoint's weights, in the element type asked for.
    public let model: Model
    /// The rebuilt dataset.
    public let dataset: Dataset
    /// The training batch size the manifest records (nil if it does not).
    public let trainingBatchSize: Int?

    /// Reads `path` and rebuilds its model (in `precision`) and dataset.
    public init(path: String, precision: DType = .float32) throws {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: path) } catch {
            throw ScoringError.unreadableCheckpoint(path: path, reason: "\(error)")
        }
        try self.init(checkpoint: checkpoint, path: path, precision: precision)
    }

    /// Rebuilds the model and dataset of a checkpoint already read (the dataset once per process:
    /// `DatasetCache`).
    public init(checkpoint: Checkpoint, path: String, precision: DType = .float32) throws {
        let m = checkpoint.manifest
        self.path = path
        manifest = m
        let configuration: ModelConfiguration
        do {
            configuration = try Self.decode(ModelConfiguration.self, from: m.model.config)
            var model = try ModelZoo.build(configuration, dtype: precision)
            try model.load(stateDict: Dictionary(checkpoint.modelTensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }))
            self.model = model
        } catch {
            throw ScoringError.model(path: path, reason: "\(error)")
        }
        let recorded: DatasetSpec
        do { recorded = try Self.decode(DatasetSpec.self, from: m.dataset.spec) } catch {
            throw ScoringError.dataset(path: path, reason: "the manifest's dataset spec is not one this Sharp understands: \(error)")
        }
        let spec: DatasetSpec
        do { spec = try recorded.located(checkpoint: path, dataRoots: DatasetSpec.dataRoots(given: [])) } catch {
            throw ScoringError.dataMissing(path: path, reason: "\(error)")
        }
        do {
            dataset = try DatasetCache.dataset(spec, fingerprint: m.dataset.fingerprint) {
                try spec.build(expectingFingerprint: m.dataset.fingerprint)
            }
        } catch {
            throw ScoringError.dataset(path: path, reason: "\(error)")
        }
        guard dataset.trainIndices.count == m.dataset.trainCount, dataset.testIndices.count == m.dataset.testCount else {
            throw ScoringError.dataset(path: path, reason: "the split has \(dataset.trainIndices.count)/\(dataset.testIndices.count) "
                + "train/test images; the manifest records \(m.dataset.trainCount)/\(m.dataset.testCount)")
        }
        let input = configuration
        guard dataset.channels == input.inputChannels, dataset.imageSize == (input.inputHeight, input.inputWidth) else {
            throw ScoringError.dataset(path: path, reason: "the data has \(dataset.channels)×\(dataset.imageSize.height)×\(dataset.imageSize.width) "
                + "images; the model takes \(input.inputChannels)×\(input.inputHeight)×\(input.inputWidth)")
        }
        if case .object(let record) = m.optimizer.hyperparameters, case .number(let b)? = record["batch_size"], b >= 1 {
            trainingBatchSize = Int(b)
        } else {
            trainingBatchSize = nil
        }
    }

    /// A model built directly (tests, tools): no manifest-driven rebuild.
    public init(model: Model, dataset: Dataset, manifest: Manifest, path: String = "<memory>", trainingBatchSize: Int? = nil) {
        self.path = path
        self.manifest = manifest
        self.model = model
        self.dataset = dataset
        self.trainingBatchSize = trainingBatchSize
    }

    /// The parameter layout as the plugin ABI carries it.
    public var layout: [ParameterLayoutEntry] {
        // Entries are in state_dict order; the flat buffer is in parameter (registration) order.
        var names = [String](repeating: "", count: model.parameters.count)
        for e in model.entries where e.kind == .parameter { names[e.index] = e.name }
        return zip(names, model.parameters).map { ParameterLayoutEntry(name: $0, shape: $1.shape) }
    }

    /// A manifest JSON value decoded as `T` (the way the trainer encoded it).
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(value.text.utf8))
    }
}
