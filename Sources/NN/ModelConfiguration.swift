import Tensor

/// What a zoo model is built from; recorded in checkpoint manifests so a scorer can rebuild it.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// Zoo name (`mlp`, `vgg-mini`, `vgg16`, `resnet-mini`, `resnet50`, `vit-tiny`, `vit-b16`, `swin-mini`, `swin-t`).
    public var name: String
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var classes: Int
    /// Seed of the weight initialisation.
    public var seed: UInt64

    public init(name: String, inputChannels: Int = 1, inputSize: Int = 64, classes: Int = 2, seed: UInt64 = 0) {
        self.name = name
        self.inputChannels = inputChannels
        inputHeight = inputSize
        inputWidth = inputSize
        self.classes = classes
        self.seed = seed
    }

    /// The shape of one input batch of `batch` images.
    public func inputShape(batch: Int) -> [Int] { [batch, inputChannels, inputHeight, inputWidth] }
}

/// Failures building a model from a configuration (a user-facing input).
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String)
    case unsupportedInput(model: String, reason: String)
    /// Loaded weights do not fit the architecture.
    case stateMismatch(model: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name):
            return "unknown model '\(name)'; choose one of: \(ModelZoo.names.joined(separator: ", "))"
        case .unsupportedInput(let model, let reason):
            return "\(model): \(reason)"
        case .stateMismatch(let model, let reason):
            return "\(model): weights do not match the architecture: \(reason); check the model name and its configuration"
        }
    }
}
