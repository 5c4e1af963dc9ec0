import CSharpPlugin

/// One named tensor of an optimizer's state, as a checkpoint stores it (`optimizer.safetensors`).
public struct OptimizerStateTensor: Sendable, Equatable {
    /// Values in their element type.
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
    }

    /// Name: the plugin's own (`exp_avg`), `base.`-prefixed for the base optimizer's, and
    /// `sharp.step` for the host's step counter.
    public let name: String
    /// Shape (`[]` for scalars).
    public let shape: [Int]
    /// Values.
    public let values: Values

    /// A tensor.
    public init(name: String, shape: [Int], values: Values) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

extension LoadedOptimizer {
    /// Every state tensor of this optimizer and its base, enough to resume bit-exactly.
    public func saveState() throws -> [OptimizerStateTensor] {
        var out = try ownState()
        if let base { out += try base.ownState().map { OptimizerStateTensor(name: "base." + $0.name, shape: $0.shape, values: $0.values) } }
        out.append(OptimizerStateTensor(name: "sharp.step", shape: [], values: .float64([Double(stepCount)])))
        return out
    }

    /// Restores what `saveState` returned (for the same plugins, layout and element type).
    public func loadState(_ tensors: [OptimizerStateTensor]) throws {
        try loadOwn(tensors.filter { !$0.name.hasPrefix("base.") && $0.name != "sharp.step" })
        if let base {
            try base.loadOwn(tensors.filter { $0.name.hasPrefix("base.") }
                .map { OptimizerStateTensor(name: String($0.name.dropFirst(5)), shape: $0.shape, values: $0.values) })
        }
        if let step = tensors.first(where: { $0.name == "sharp.step" }), case .float64(let v) = step.values, let s = v.first {
            stepCount = Int(s)
        }
    }

    private func ownState() throws -> [OptimizerStateTensor] {
        guard let save = plugin.optimizerTable.save_state else { return [] }
        final class Sink { var tensors: [OptimizerStateTensor] = [] }
        let sink = Sink()
        try withExtendedLifetime(sink) {
            try callPlugin(plugin.name, "save_state") { message in
                save(state, Unmanaged.passUnretained(sink).toOpaque(), { userData, tensor in
                    guard let userData, let t = tensor?.pointee, let name = t.name, t.count >= 0, t.count == 0 || t.data != nil else {
                        return SHARP_ERROR_INVALID_ARGUMENT
                    }
                    let shape = (0..<Int(max(t.rank, 0))).map { Int(t.shape[$0]) }
                    let values: OptimizerStateTensor.Values
                    switch t.dtype {
                    case SHARP_DTYPE_FLOAT32: values = .float32(Array(UnsafeBufferPointer(start: t.data?.assumingMemoryBound(to: Float.self), count: Int(t.count))))
                    case SHARP_DTYPE_FLOAT64: values = .float64(Array(UnsafeBufferPointer(start: t.data?.assumingMemoryBound(to: Double.self), count: Int(t.count))))
                    default: return SHARP_ERROR_INVALID_ARGUMENT
                    }
                    Unmanaged<Sink>.fromOpaque(userData).takeUnretainedValue().tensors.append(
                        OptimizerStateTensor(name: String(cString: name), shape: shape, values: values))
                    return SHARP_OK
                }, message)
            }
        }
        return sink.tensors
    }

    private func loadOwn(_ tensors: [OptimizerStateTensor]) throws {
        guard let load = plugin.optimizerTable.load_state else { return }
        // C copies of names, shapes and values, alive for the one call.
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { $0.deallocate() } }
        func copy<T>(_ values: [T]) -> UnsafeRawPointer {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(values.count, 1) * MemoryLayout<T>.stride, alignment: 16)
            values.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: $0.count) } }
            allocations.append(p)
            return UnsafeRawPointer(p)
        }
        let named = tensors.map { t -> sharp_named_tensor_v1 in
            let name = copy(Array(t.name.utf8CString)).assumingMemoryBound(to: CChar.self)
            let shape = copy(t.shape.map(Int64.init)).assumingMemoryBound(to: Int64.self)
            switch t.values {
            case .float32(let v):
                return sharp_named_tensor_v1(name: name, dtype: SHARP_DTYPE_FLOAT32, rank: Int32(t.shape.count), shape: shape, data: copy(v), count: Int64(v.count))
            case .float64(let v):
                return sharp_named_tensor_v1(name: name, dtype: SHARP_DTYPE_FLOAT64, rank: Int32(t.shape.count), shape: shape, data: copy(v), count: Int64(v.count))
            }
        }
        try named.withUnsafeBufferPointer { buffer in
            try callPlugin(plugin.name, "load_state") { load(state, buffer.baseAddress, Int64(buffer.count), $0) }
        }
    }
}
