import CSharpPlugin
import Foundation

/// Runs one plugin entry point with a message buffer on the stack, and turns a failure status into
/// `PluginHostError.pluginFailed` (or into the host's own error if a host callback caused it).
func callPlugin(_ plugin: String, _ operation: String, callbackError: () -> (any Error)? = { nil },
                _ body: (UnsafeMutablePointer<sharp_message_v1>) -> Int32) throws {
    let (status, message) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 1024) { buffer -> (Int32, String) in
        buffer[0] = 0
        var m = sharp_message_v1(text: buffer.baseAddress, capacity: buffer.count)
        let status = body(&m)
        buffer[buffer.count - 1] = 0  // a plugin that ignored the capacity still yields a C string
        return (status, status == SHARP_OK ? "" : String(cString: buffer.baseAddress!))
    }
    guard status == SHARP_OK else {
        if let e = callbackError() { throw e }
        throw PluginHostError.pluginFailed(plugin: plugin, operation: operation, status: status, message: message)
    }
}

/// A C copy of a layout that lives while `body` runs.
func withCLayout<R>(_ entries: [ParameterLayoutEntry], dtype: UInt32, _ body: (UnsafePointer<sharp_layout_v1>) throws -> R) rethrows -> R {
    let names = entries.map { strdup($0.name) }
    let shapes = entries.map { e -> UnsafeMutablePointer<Int64> in
        let p = UnsafeMutablePointer<Int64>.allocate(capacity: max(e.shape.count, 1))
        for (i, d) in e.shape.enumerated() { p[i] = Int64(d) }
        return p
    }
    defer {
        names.forEach { free($0) }
        shapes.forEach { $0.deallocate() }
    }
    var offset = 0
    var tensors: [sharp_tensor_layout_v1] = []
    for (i, e) in entries.enumerated() {
        tensors.append(sharp_tensor_layout_v1(name: names[i], shape: shapes[i], rank: Int32(e.shape.count), flags: 0,
                                              offset: Int64(offset), count: Int64(e.count)))
        offset += e.count
    }
    return try tensors.withUnsafeBufferPointer { t in
        var layout = sharp_layout_v1(abi_version: SHARP_PLUGIN_ABI_VERSION, dtype: dtype, tensors: t.baseAddress,
                                     tensor_count: Int64(entries.count), parameter_count: Int64(offset))
        return try body(&layout)
    }
}
