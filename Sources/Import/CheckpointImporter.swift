import Checkpoint
import Datasets
import Foundation
import Hashing
import JSON
import NN
import Tensor
import Training

/// `sharp import`: turns weights another framework trained (a PyTorch `state_dict` saved as
/// safetensors) into a Sharp checkpoint in a store, so the scorer and `sharpd` treat it like any
/// other (docs/importing.md). Every check runs before anything is written; the archive is then
/// written atomically.
public enum CheckpointImporter {
    /// What to import and how the model saw its data.
    public struct Request: Sendable {
        /// The `.safetensors` file.
        public var weights: String
        /// Zoo name or torchvision constructor name (`resnet50`, `vgg16_bn`, `vit_b_16`).
        public var model: String
        /// The data it was trained on, with its preprocessing; `size` is the model's input size
        /// when `imageSize` is nil and the model does not fix one.
        public var data: DatasetSpec
        /// The input size, or nil to take it from the weights (ViT, MLP) or the zoo's default.
        public var imageSize: Int?
        /// The flag `imageSize` came from, for messages (`--image-size`, `--resize crop=224`).
        public var imageSizeFlag = "--image-size"
        /// Input channels, or nil to take them from the first convolution's weight.
        public var channels: Int?
        /// Classes, or nil to take them from the head's shape.
        public var classes: Int?
        /// The run ID, or nil for the file's name without its extension.
        public var runID: String?
        /// The epoch recorded in the manifest and the file name.
        public var epoch: Int
        /// The store folder.
        public var store: String

        /// Describes an import.
        public init(
            weights: String, model: String, data: DatasetSpec, imageSize: Int? = nil, channels: Int? = nil,
            classes: Int? = nil, runID: String? = nil, epoch: Int = 0, store: String
        ) {
            self.weights = weights
            self.model = model
            self.data = data
            self.imageSize = imageSize
            self.channels = channels
            self.classes = classes
            self.runID = runID
            self.epoch = epoch
            self.store = store
        }
    }

    /// What an import wrote.
    public struct Outcome: Sendable {
        /// The checkpoint's path.
        public var path: String
        /// Its manifest.
        public var manifest: Manifest
        /// The resolved model configuration.
        public var model: ModelConfiguration
        /// What was converted or inferred, one line each, for the user.
        public var notes: [String]
    }

    /// Imports `request.weights` into `request.store`.
    /// - Throws: `ImportError`, or the dataset's or checkpoint writer's one-line error.
    public static func run(_ request: Request) throws -> Outcome {
        if let runID = request.runID, !Self.isValidRunID(runID) {
            throw ImportError.inconsistent(
                "--run-id '\(runID)': use letters, digits, '-', '_' and '.' only, not starting with '.' (it names a file in the store)")
        }
        let file = try ForeignWeights.read(request.weights)
        guard let name = ModelZoo.canonicalName(request.model) else {
            throw ImportError.inconsistent(
                "unknown model '\(request.model)'; choose one of: \(ModelZoo.names.joined(separator: ", ")) "
                    + "(torchvision's vgg16_bn, vit_b_16 and swin_t spellings work too)")
        }
        var notes = file.conversions
        let shape = try ImportedShape.infer(name: name, weights: file, request: request)
        notes += shape.notes

        // The weights first (cheap, and the likelier mistake), then the data.
        let configuration = ModelConfiguration(
            name: name, inputChannels: shape.channels, inputSize: shape.imageSize, classes: shape.classes)
        var model = try ModelZoo.build(configuration, initialized: false)
        let state = try file.stateDict(for: model, path: request.weights)
        do { try model.load(stateDict: state) } catch {
            throw ImportError.mismatch(path: request.weights, model: name, details: "\(error)", suggestion: nil)
        }
        let parameterNames = Set(model.entries.filter { $0.kind == .parameter }.map(\.name))
        let doubles = file.tensors.filter { parameterNames.contains($0.name) && $0.tensor.dtype == .float64 && file.convertedFrom[$0.name] == nil }
        if !doubles.isEmpty {
            notes.append("\(doubles.count) F64 tensor\(doubles.count == 1 ? "" : "s") converted to float32, the model's element type")
        }

        var spec = request.data
        spec.size = shape.imageSize
        if spec.channels != shape.channels {
            var preprocessing = spec.effectivePreprocessing
            preprocessing.channels = shape.channels
            if let n = preprocessing.normalization, n.mean.count != shape.channels {
                throw ImportError.inconsistent(
                    "--normalize gives \(n.mean.count) channel(s) of statistics, but the weights take \(shape.channels) channel(s); "
                        + "give \(shape.channels) means and \(shape.channels) standard deviations (or imagenet)")
            }
            spec.preprocessing = preprocessing
        }
        if spec.preprocessing == .standard { spec.preprocessing = nil }
        let dataset = try spec.build()
        guard dataset.classNames.count == shape.classes else {
            throw ImportError.inconsistent(
                "\(request.weights): the model's head has \(shape.classes) outputs but \(dataset.name) has \(dataset.classNames.count) "
                    + "classes (\(dataset.classNames.joined(separator: ", "))); import with the data it was trained on")
        }

        let runID = request.runID ?? Self.runID(from: request.weights)
        let manifest = Manifest(
            runID: runID, createdAt: ISO8601DateFormatter().string(from: Date()), software: Trainer.software,
            model: .init(name: name, config: try JSONValueEncoder().encode(configuration)),
            dataset: .init(
                spec: try JSONValueEncoder().encode(spec), fingerprint: dataset.fingerprint, splitSeed: spec.splitSeed,
                trainCount: dataset.trainIndices.count, testCount: dataset.testIndices.count),
            optimizer: .init(plugin: Manifest.noOptimizer, version: "", hyperparameters: .object([:])),
            training: .init(
                epoch: request.epoch, step: 0, seed: 0, trainLoss: .nan, trainAccuracy: .nan, elapsedSeconds: 0,
                stopReason: "imported"))
        var withProvenance = manifest
        withProvenance.provenance = .init(
            file: (request.weights as NSString).lastPathComponent, sha256: file.sha256, metadata: file.metadata,
            conversions: notes)
        let checkpoint = Checkpoint(
            manifest: withProvenance, modelTensors: model.stateDict.map { NamedTensor($0.name, $0.tensor) },
            optimizerTensors: [], history: Trainer.historyHeader)
        try FileManager.default.createDirectory(atPath: request.store, withIntermediateDirectories: true)
        let path = (request.store as NSString).appendingPathComponent(
            String(format: "%@-e%04d%@", runID, request.epoch, Checkpoint.fileExtension))
        guard !FileManager.default.fileExists(atPath: path) else { throw ImportError.exists(path: path) }
        try checkpoint.write(to: path)
        return Outcome(path: path, manifest: withProvenance, model: configuration, notes: notes)
    }

    /// Whether `id` can name a file in the store: letters, digits, `-`, `_`, `.`, no leading dot.
    static func isValidRunID(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix(".") && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) }
    }

    /// A run ID from a file name: the name without `.safetensors`, other characters than
    /// letters, digits, `-`, `_` and `.` replaced by `-`.
    static func runID(from path: String) -> String {
        var stem = (path as NSString).lastPathComponent
        if stem.hasSuffix(".safetensors") { stem.removeLast(".safetensors".count) }
        var cleaned = String(stem.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) ? $0 : "-" })
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        return cleaned.isEmpty ? "imported" : cleaned
    }
}
