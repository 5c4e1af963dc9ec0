import Tensor

/// Position of a parameter in a model's flat parameter list.
public struct ParameterID: Hashable, Sendable {
    public let index: Int
}

/// Position of a buffer (non-trained state such as BatchNorm running statistics).
public struct BufferID: Hashable, Sendable {
    public let index: Int
}

/// One entry of a model's state, in PyTorch `state_dict()` order.
public struct StateEntry: Sendable, Equatable {
    public enum Kind: String, Sendable { case parameter, buffer }
    /// Dotted PyTorch-style key, e.g. `layer1.0.bn1.running_mean`.
    public let name: String
    public let kind: Kind
    /// Index into the model's parameters or buffers (by `kind`).
    public let index: Int
    public let shape: [Int]
}

/// Collects named parameters and buffers while layers are constructed.
///
/// Layers register their tensors in the order PyTorch modules do (own parameters, own buffers,
/// then children), under the current dotted scope, so the resulting key list and order are the
/// `state_dict()` of the equivalent torchvision model.
public final class ModelBuilder {
    private(set) var entries: [StateEntry] = []
    private(set) var parameters: [Tensor] = []
    private(set) var buffers: [Tensor] = []
    private var scopes: [String] = []
    /// Initialisation randomness (seeded, so a model built twice is identical).
    public var rng: RandomGenerator
    /// Element type of every parameter.
    public let dtype: DType
    /// Draw initial weights (false: zeros, for a model whose weights are loaded right after).
    public let randomInitialization: Bool

    public init(seed: UInt64, dtype: DType = .float32, randomInitialization: Bool = true) {
        rng = RandomGenerator(seed: seed)
        self.dtype = dtype
        self.randomInitialization = randomInitialization
    }

    private func key(_ name: String) -> String { (scopes + [name]).joined(separator: ".") }

    /// Registers a trained tensor under `scope.name`.
    public func parameter(_ name: String, _ value: Tensor) -> ParameterID {
        let converted = value.converted(to: dtype)
        entries.append(StateEntry(name: key(name), kind: .parameter, index: parameters.count, shape: value.shape))
        parameters.append(converted)
        return ParameterID(index: parameters.count - 1)
    }

    /// Registers non-trained state under `scope.name` (kept in Float64 when it is a counter).
    public func buffer(_ name: String, _ value: Tensor) -> BufferID {
        entries.append(StateEntry(name: key(name), kind: .buffer, index: buffers.count, shape: value.shape))
        buffers.append(value)
        return BufferID(index: buffers.count - 1)
    }

    /// Builds a child module under `name` (a path component such as `layer1` or `0`).
    public func scope<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        scopes.append(name)
        defer { scopes.removeLast() }
        return try body()
    }

    /// Builds children named `0`, `1`, ... (PyTorch `Sequential` / `ModuleList`).
    public func indexed<T>(_ count: Int, _ body: (Int) throws -> T) rethrows -> [T] {
        try (0..<count).map { i in try scope(String(i)) { try body(i) } }
    }
}
