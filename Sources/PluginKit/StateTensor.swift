import CSharpPlugin

/// One named tensor of optimizer state, as saved into a checkpoint (`optimizer.safetensors`).
public struct StateTensor: Sendable {
    /// The values.
    public enum Storage: Sendable {
        /// Float values (a float32 optimizer's buffers).
        case float32([Float])
        /// Double values (float64 buffers, and scalars such as step counts).
        case float64([Double])
    }

    /// Name, unique within the optimizer (`m`, `v`, `step`).
    public let name: String
    /// Shape; `[]` for a scalar.
    public let shape: [Int]
    /// Values.
    public let storage: Storage

    /// A tensor of any shape; `storage` holds the product of `shape` values (1 for `[]`).
    public init(name: String, shape: [Int], storage: Storage) {
        let count: Int
        switch storage {
        case .float32(let v): count = v.count
        case .float64(let v): count = v.count
        }
        precondition(shape.reduce(1, *) == count, "state tensor \(name): shape \(shape) for \(count) values")
        self.name = name
        self.shape = shape
        self.storage = storage
    }

    /// A copy of a flat buffer, shape `[count]`.
    public static func buffer<S: PluginScalar>(_ name: String, _ values: UnsafeBufferPointer<S>) -> StateTensor {
        if S.self == Float.self {
            return StateTensor(name: name, shape: [values.count], storage: .float32(Array(values.withMemoryRebound(to: Float.self) { $0 })))
        }
        return StateTensor(name: name, shape: [values.count], storage: .float64(values.map { Double($0) }))
    }

    /// A float64 scalar (step counters are stored this way: exact up to 2⁵³).
    public static func scalar(_ name: String, _ value: Double) -> StateTensor {
        StateTensor(name: name, shape: [], storage: .float64([value]))
    }
}

/// The state tensors the host hands to `loadState`; valid only during that call.
public struct StateTensors {
    private let tensors: [String: sharp_named_tensor_v1]

    init(_ raw: UnsafePointer<sharp_named_tensor_v1>?, count: Int) throws {
        var byName: [String: sharp_named_tensor_v1] = [:]
        for i in 0..<count {
            guard let raw, let cName = raw[i].name else { throw PluginError.invalidArgument("state tensor \(i) has no name") }
            byName[String(cString: cName)] = raw[i]
        }
        tensors = byName
    }

    /// Names present.
    public var names: [String] { tensors.keys.sorted() }

    /// Copies tensor `name` into `buffer`; its element type and count must match exactly.
    public func restore<S: PluginScalar>(_ name: String, into buffer: UnsafeMutableBufferPointer<S>) throws {
        let t = try tensor(name)
        guard t.dtype == S.dtypeCode, Int(t.count) == buffer.count, let data = t.data else {
            throw PluginError.invalidArgument("state tensor \(name): \(t.count) elements of dtype \(t.dtype), expected \(buffer.count) of dtype \(S.dtypeCode)")
        }
        buffer.baseAddress?.update(from: data.assumingMemoryBound(to: S.self), count: buffer.count)
    }

    /// A scalar tensor's value (float64 or float32).
    public func scalar(_ name: String) throws -> Double {
        let t = try tensor(name)
        guard t.count == 1, let data = t.data else { throw PluginError.invalidArgument("state tensor \(name) is not a scalar") }
        switch t.dtype {
        case SHARP_DTYPE_FLOAT64: return data.assumingMemoryBound(to: Double.self).pointee
        case SHARP_DTYPE_FLOAT32: return Double(data.assumingMemoryBound(to: Float.self).pointee)
        default: throw PluginError.invalidArgument("state tensor \(name) has unknown dtype \(t.dtype)")
        }
    }

    private func tensor(_ name: String) throws -> sharp_named_tensor_v1 {
        guard let t = tensors[name] else {
            throw PluginError.invalidArgument("state has no tensor \(name) (found: \(names.joined(separator: ", ")))")
        }
        return t
    }
}
