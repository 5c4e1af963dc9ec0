import Autodiff
import Tensor

/// Training mode (batch statistics, dropout) or evaluation mode (running statistics, no dropout).
public enum Mode: String, Sendable, Codable {
    case training
    case evaluation
}

/// What one forward pass reads (parameters as differentiable variables, buffers, mode, dropout
/// randomness) and writes (buffers updated in training mode).
///
/// The forward pass never mutates the model: BatchNorm's new running statistics are collected
/// here, and the caller decides whether to keep them (a SAM step keeps only the clean pass's).
public final class ForwardContext {
    public let parameters: [Var]
    public let buffers: [Tensor]
    public let mode: Mode
    /// Dropout randomness; the same seed gives the same masks (needed by SAM's second pass).
    public var rng: RandomGenerator
    /// Buffers written during this pass, by index.
    public private(set) var updatedBuffers: [Int: Tensor] = [:]

    public init(parameters: [Var], buffers: [Tensor], mode: Mode, seed: UInt64 = 0) {
        self.parameters = parameters
        self.buffers = buffers
        self.mode = mode
        rng = RandomGenerator(seed: seed)
    }

    @inline(__always) public subscript(_ id: ParameterID) -> Var { parameters[id.index] }
    @inline(__always) public subscript(_ id: BufferID) -> Tensor { updatedBuffers[id.index] ?? buffers[id.index] }

    /// Records a new value for a buffer.
    public func update(_ id: BufferID, _ value: Tensor) { updatedBuffers[id.index] = value }

    public var isTraining: Bool { mode == .training }
}

/// A differentiable function of its input and the context's parameters.
public protocol Layer: Sendable {
    func callAsFunction(_ x: Var, _ context: ForwardContext) -> Var
}

/// A parameter-free function as a layer (ReLU, flatten, ...).
public struct Function: Layer {
    let body: @Sendable (Var) -> Var
    public init(_ body: @escaping @Sendable (Var) -> Var) { self.body = body }
    public func callAsFunction(_ x: Var, _ context: ForwardContext) -> Var { body(x) }
}

/// Layers applied in order (PyTorch `Sequential`; child keys are their positions).
public struct Sequential: Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public func callAsFunction(_ x: Var, _ context: ForwardContext) -> Var {
        layers.reduce(x) { h, layer in layer(h, context) }
    }
}

extension ModelBuilder {
    /// A `Sequential` whose i-th child is built by `makers[i]` under scope `i` (so parameter-free
    /// children still take an index, as in PyTorch).
    public func sequential(_ makers: [() -> any Layer]) -> Sequential {
        Sequential(makers.enumerated().map { i, make in scope(String(i)) { make() } })
    }
}
