import Autodiff
import Tensor

/// A built classifier: its layers plus the values of its parameters and buffers.
///
/// Parameters live in one contiguous vector (`parameterVector`); each parameter tensor is a view
/// into it. That is what crosses the plugin boundary and what optimizers update in one loop.
public struct Model: Sendable {
    /// Zoo name, e.g. `vgg-mini`.
    public let name: String
    /// Every parameter and buffer in PyTorch `state_dict()` order.
    public let entries: [StateEntry]
    /// Parameter values (views into `parameterVector`), in registration order.
    public private(set) var parameters: [Tensor]
    /// Buffer values (BatchNorm statistics, ...).
    public var buffers: [Tensor]
    /// All parameters, concatenated in order.
    public private(set) var parameterVector: Tensor
    let root: any Layer

    /// Takes the parameters and buffers a builder collected while `root` was constructed.
    public init(name: String, builder: ModelBuilder, root: any Layer) {
        self.name = name
        self.entries = builder.entries
        self.root = root
        self.buffers = builder.buffers
        (parameterVector, parameters) = Model.pack(builder.parameters, dtype: builder.dtype)
    }

    /// Copies tensors into one vector and returns views into it.
    static func pack(_ tensors: [Tensor], dtype: DType) -> (Tensor, [Tensor]) {
        let total = tensors.reduce(0) { $0 + $1.count }
        let flat = Tensor.concatenate([Tensor(zeros: [0], dtype: dtype)] + tensors.map { $0.converted(to: dtype).reshaped([$0.count]) }, axis: 0)
        var offset = 0
        let views = tensors.map { t -> Tensor in
            defer { offset += t.count }
            return Tensor(shape: t.shape, storage: flat.storage, offset: flat.offset + offset)
        }
        precondition(flat.count == total)
        return (flat, views)
    }

    /// Number of trained scalars.
    public var parameterCount: Int { parameterVector.count }
    /// Element type of the parameters.
    public var dtype: DType { parameterVector.dtype }
    /// Parameter keys in order (`features.0.weight`, ...).
    public var parameterNames: [String] { entries.filter { $0.kind == .parameter }.map(\.name) }

    /// Replaces every parameter (one tensor per parameter, same shapes).
    public mutating func setParameters(_ values: [Tensor]) {
        tensorCheck(values.count == parameters.count, "setParameters", "\(values.count) tensors for \(parameters.count) parameters")
        for (v, p) in zip(values, parameters) {
            tensorCheck(v.shape == p.shape, "setParameters", "a tensor of shape \(v.shape) for a parameter of shape \(p.shape)")
        }
        (parameterVector, parameters) = Model.pack(values, dtype: dtype)
    }

    /// Replaces the parameter vector (same count); parameters become views into it.
    public mutating func setParameterVector(_ vector: Tensor) {
        tensorCheck(vector.count == parameterCount, "setParameterVector", "\(vector.count) values for \(parameterCount) parameters")
        let flat = vector.converted(to: dtype).reshaped([parameterCount])
        parameterVector = flat
        var offset = 0
        parameters = parameters.map { p in
            defer { offset += p.count }
            return Tensor(shape: p.shape, storage: flat.storage, offset: flat.offset + offset)
        }
    }

    /// Logits for a batch, with parameters given as variables (tracked for gradients or constants).
    /// Returns the buffers the pass updated (training mode) for the caller to keep or drop.
    public func logits(_ input: Var, parameters: [Var], mode: Mode, seed: UInt64 = 0) -> (logits: Var, updatedBuffers: [Int: Tensor]) {
        tensorCheck(parameters.count == self.parameters.count, "Model.logits", "\(parameters.count) parameter variables for \(self.parameters.count) parameters")
        let context = ForwardContext(parameters: parameters, buffers: buffers, mode: mode, seed: seed)
        let y = root(input, context)
        return (y, context.updatedBuffers)
    }

    /// Logits without differentiation (evaluation mode by default).
    public func predict(_ input: Tensor, mode: Mode = .evaluation) -> Tensor {
        logits(Var(input), parameters: parameters.map(Var.init), mode: mode).logits.value
    }

    /// Keeps buffer values produced by a training pass.
    public mutating func apply(updatedBuffers: [Int: Tensor]) {
        for (i, value) in updatedBuffers { buffers[i] = value }
    }

    /// Every parameter and buffer by key, in `state_dict()` order.
    public var stateDict: [(name: String, tensor: Tensor)] {
        entries.map { ($0.name, $0.kind == .parameter ? parameters[$0.index] : buffers[$0.index]) }
    }
}

extension Model {
    /// Replaces parameters and buffers from named tensors (e.g. a converted torchvision
    /// `state_dict`). Every key of the model must be present with its exact shape; extra keys
    /// are an error too, so a mismatched architecture is never loaded silently.
    public mutating func load(stateDict: [String: Tensor]) throws(ModelError) {
        let known = Set(entries.map(\.name))
        if let extra = stateDict.keys.sorted().first(where: { !known.contains($0) }) {
            throw .stateMismatch(model: name, reason: "unexpected key '\(extra)'")
        }
        var newParameters = parameters
        for entry in entries {
            guard let value = stateDict[entry.name] else { throw .stateMismatch(model: name, reason: "missing key '\(entry.name)'") }
            guard value.shape == entry.shape else {
                throw .stateMismatch(model: name, reason: "'\(entry.name)' has shape \(value.shape), expected \(entry.shape)")
            }
            switch entry.kind {
            case .parameter: newParameters[entry.index] = value
            case .buffer:
                // A constant of the architecture (Swin's relative position index) is checked, not
                // taken: the gather it drives trusts its values.
                if entry.name.hasSuffix("relative_position_index"), value.doubles != buffers[entry.index].doubles {
                    throw .stateMismatch(model: name, reason: "'\(entry.name)' differs from the index of the model's window layout")
                }
                buffers[entry.index] = value.converted(to: buffers[entry.index].dtype)
            }
        }
        setParameters(newParameters)
    }
}
