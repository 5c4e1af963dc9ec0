import CSharpPlugin
import JSON
import Synchronization

/// Turns Swift plugin types into the C descriptor a plugin's entry point returns.
///
/// A plugin's one C entry point is, in full:
/// ```swift
/// @c(sharp_plugin_entry_v1)
/// public func sharpPluginEntry() -> UnsafeRawPointer {
///     PluginExport.optimizer(MyOptimizer<Float>.self, MyOptimizer<Double>.self)
/// }
/// ```
/// The descriptor is built on the first call and kept for the life of the process (the host
/// never unloads a plugin), so later calls return the same pointer.
public enum PluginExport {
    /// The descriptor of an optimizer available in both element types.
    public static func optimizer<F: OptimizerPlugin, D: OptimizerPlugin>(_ float32: F.Type, _ float64: D.Type) -> UnsafeRawPointer
    where F.Scalar == Float, D.Scalar == Double {
        export { OptimizerVTable.descriptor(float32: float32, float64: float64) }
    }

    /// The descriptor of an optimizer that only runs in Float.
    public static func optimizer<F: OptimizerPlugin>(_ float32: F.Type) -> UnsafeRawPointer where F.Scalar == Float {
        export { OptimizerVTable.descriptor(float32: float32, float64: nil) }
    }

    /// The descriptor of a metric.
    public static func metric<M: MetricPlugin>(_ type: M.Type) -> UnsafeRawPointer {
        export { MetricVTable.descriptor(type) }
    }

    private static let exported = Mutex<UnsafeRawPointer?>(nil)

    private static func export(_ build: () -> UnsafeMutablePointer<sharp_plugin_descriptor_v1>) -> UnsafeRawPointer {
        exported.withLock { existing in
            if let existing { return existing }
            let made = UnsafeRawPointer(build())
            existing = made
            return made
        }
    }

    /// A descriptor with the strings every kind shares; the caller fills in the vtable.
    static func baseDescriptor(kind: UInt32, _ d: PluginDescription) -> sharp_plugin_descriptor_v1 {
        var out = sharp_plugin_descriptor_v1()
        out.abi_version = SHARP_PLUGIN_ABI_VERSION
        out.kind = kind
        out.name = permanent(d.name)
        out.version = permanent(d.version)
        out.summary = permanent(d.summary)
        out.parameters_schema_json = permanent(ParameterSpec.schemaJSON(d.parameters))
        out.toolchain = sharp_plugin_toolchain()
        if !d.outputs.isEmpty {
            out.outputs_json = permanent(JSONValue.array(d.outputs.map { o in
                var fields: [String: JSONValue] = ["name": .string(o.name), "summary": .string(o.summary)]
                if let short = o.shortName { fields["short"] = .string(short) }
                return .object(fields)
            }).text)
        }
        return out
    }

    /// A C copy of `s` that lives as long as the process.
    static func permanent(_ s: String) -> UnsafePointer<CChar> {
        let bytes = Array(s.utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        p.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(p)
    }

    /// A copy of `value` (a vtable, a descriptor) that lives as long as the process.
    static func permanent<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
        p.initialize(to: value)
        return p
    }
}

/// The optimizer types this image exports; set once by `PluginExport.optimizer`.
private nonisolated(unsafe) var exportedTypes: (float32: any OptimizerPlugin.Type, float64: (any OptimizerPlugin.Type)?)?

/// The C functions of `sharp_optimizer_vtable_v1`, forwarding to the exported Swift types.
enum OptimizerVTable {
    static func descriptor(float32: any OptimizerPlugin.Type, float64: (any OptimizerPlugin.Type)?) -> UnsafeMutablePointer<sharp_plugin_descriptor_v1> {
        exportedTypes = (float32, float64)
        var table = sharp_optimizer_vtable_v1()
        table.abi_version = SHARP_PLUGIN_ABI_VERSION
        table.flags = SHARP_OPTIMIZER_FLOAT32 | (float64 == nil ? 0 : SHARP_OPTIMIZER_FLOAT64)
        switch float32.role {
        case .base:
            table.flags |= SHARP_OPTIMIZER_CAN_BE_BASE
            table.passes_per_step = 1
            table.apply = { state, context, error in
                reportingErrors(error) { try OptimizerVTable.instance(state).apply(try OptimizerVTable.unwrap(context)) }
            }
        case .wrapper(let defaultBase, let passes):
            table.flags |= SHARP_OPTIMIZER_WRAPS_BASE
            table.passes_per_step = UInt32(passes)
            table.default_base = PluginExport.permanent(defaultBase)
        }
        table.create = { layout, json, stateOut, error in
            reportingErrors(error) {
                guard let layout, let stateOut else { throw PluginError.invalidArgument("create: layout and state_out are required") }
                let made = try OptimizerVTable.makeInstance(ParameterLayout(layout), json: json.map { String(cString: $0) } ?? "{}")
                stateOut.pointee = Unmanaged.passRetained(made).toOpaque()
            }
        }
        table.destroy = { state in
            if let state { Unmanaged<OptimizerInstance>.fromOpaque(state).release() }
        }
        table.step = { state, context, result, error in
            reportingErrors(error) { try OptimizerVTable.instance(state).step(try OptimizerVTable.unwrap(context), result) }
        }
        table.perturb = { state, context, out, result, error in
            reportingErrors(error) {
                guard let out else { throw PluginError.invalidArgument("perturb: perturbation_out is required") }
                guard let perturb = try OptimizerVTable.instance(state).perturb else {
                    throw PluginError.unsupported("no perturbation")  // unreachable: the entry is NULL then
                }
                try perturb(try OptimizerVTable.unwrap(context), out, result)
            }
        }
        table.save_state = { state, userData, sink, error in
            reportingErrors(error) {
                guard let sink else { throw PluginError.invalidArgument("save_state: sink is required") }
                try OptimizerVTable.send(try OptimizerVTable.instance(state).save(), to: sink, userData)
            }
        }
        table.load_state = { state, tensors, count, error in
            reportingErrors(error) { try OptimizerVTable.instance(state).load(try StateTensors(tensors, count: Int(count))) }
        }
        // "No perturbation" is a NULL entry (the host's `sharpness` then skips this optimizer).
        if !(float32 is any PerturbingOptimizerPlugin.Type) { table.perturb = nil }
        var d = PluginExport.baseDescriptor(kind: SHARP_PLUGIN_KIND_OPTIMIZER, float32.description)
        d.optimizer = UnsafePointer(PluginExport.permanent(table))
        return PluginExport.permanent(d)
    }

    static func makeInstance(_ layout: ParameterLayout, json: String) throws -> OptimizerInstance {
        guard let types = exportedTypes else { throw PluginError.invalidArgument("create called before the entry point") }
        switch layout.dtypeCode {
        case SHARP_DTYPE_FLOAT32: return try OptimizerInstance(types.float32, layout: layout, json: json)
        case SHARP_DTYPE_FLOAT64:
            guard let t = types.float64 else { throw PluginError.invalidArgument("\(types.float32.description.name) runs in float32 only") }
            return try OptimizerInstance(t, layout: layout, json: json)
        default: throw PluginError.invalidArgument("unknown dtype \(layout.dtypeCode)")
        }
    }

    static func instance(_ state: UnsafeMutableRawPointer?) throws -> OptimizerInstance {
        guard let state else { throw PluginError.invalidArgument("state is NULL") }
        return Unmanaged<OptimizerInstance>.fromOpaque(state).takeUnretainedValue()
    }

    static func unwrap<T>(_ p: UnsafePointer<T>?) throws -> UnsafePointer<T> {
        guard let p else { throw PluginError.invalidArgument("context is NULL") }
        return p
    }

    /// Hands each tensor to the host's sink as a `sharp_named_tensor_v1` (the host copies it).
    static func send(_ tensors: [StateTensor], to sink: sharp_tensor_sink_fn_v1, _ userData: UnsafeMutableRawPointer?) throws {
        for t in tensors {
            let shape = t.shape.map(Int64.init)
            let status: Int32 = t.name.withCString { name in
                shape.withUnsafeBufferPointer { shapePointer in
                    func put(_ data: UnsafeRawPointer?, _ dtype: UInt32, _ count: Int) -> Int32 {
                        var named = sharp_named_tensor_v1(name: name, dtype: dtype, rank: Int32(shape.count), shape: shapePointer.baseAddress,
                                                          data: data, count: Int64(count))
                        return sink(userData, &named)
                    }
                    switch t.storage {
                    case .float32(let v): return v.withUnsafeBytes { put($0.baseAddress, SHARP_DTYPE_FLOAT32, v.count) }
                    case .float64(let v): return v.withUnsafeBytes { put($0.baseAddress, SHARP_DTYPE_FLOAT64, v.count) }
                    }
                }
            }
            guard status == SHARP_OK else { throw PluginError.callbackFailed("save_state sink returned \(status) for \(t.name)") }
        }
    }
}
