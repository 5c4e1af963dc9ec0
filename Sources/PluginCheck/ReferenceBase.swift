import CSharpPlugin
import Foundation
import PluginHost

/// The base optimizer the checker puts under a wrapper: plain SGD, w ← w − lr·d, so that a
/// wrapper's step has a closed form (its direction times the learning rate). Built here rather
/// than loaded, because a plugin package's tests have no built-in plugins next to them.
enum ReferenceBase {
    static let plugin: LoadedPlugin = {
        var table = sharp_optimizer_vtable_v1()
        table.abi_version = SHARP_PLUGIN_ABI_VERSION
        table.flags = SHARP_OPTIMIZER_CAN_BE_BASE | SHARP_OPTIMIZER_FLOAT32 | SHARP_OPTIMIZER_FLOAT64
        table.passes_per_step = 1
        table.create = { _, _, state, _ in
            state?.pointee = UnsafeMutableRawPointer(bitPattern: 1)  // stateless; the host wants non-NULL
            return SHARP_OK
        }
        table.destroy = { _ in }
        table.apply = apply
        table.step = { _, context, result, _ in
            guard let c = context?.pointee, let oracle = c.loss_and_gradient else { return SHARP_ERROR_INVALID_ARGUMENT }
            let bytes = Int(c.parameter_count) * (c.dtype == SHARP_DTYPE_FLOAT64 ? 8 : 4)
            let gradient = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 8), alignment: 8)
            defer { gradient.deallocate() }
            var loss = 0.0
            let status = oracle(c.oracle_user_data, c.parameters, gradient, &loss, SHARP_PASS_UPDATE_STATISTICS)
            guard status == SHARP_OK else { return status }
            var a = sharp_apply_context_v1(abi_version: SHARP_PLUGIN_ABI_VERSION, dtype: c.dtype, parameters: c.parameters,
                                           direction: UnsafeRawPointer(gradient), parameter_count: c.parameter_count,
                                           learning_rate: c.learning_rate, step: c.step, epoch: c.epoch)
            result?.pointee = sharp_step_result_v1(loss: loss, gradient_norm: .nan)
            return apply(nil, &a, nil)
        }
        var d = sharp_plugin_descriptor_v1()
        d.abi_version = SHARP_PLUGIN_ABI_VERSION
        d.kind = SHARP_PLUGIN_KIND_OPTIMIZER
        d.name = UnsafePointer(strdup("check-sgd"))
        d.version = UnsafePointer(strdup("1"))
        d.summary = UnsafePointer(strdup("w ← w − lr·d (the checker's base)"))
        d.parameters_schema_json = UnsafePointer(strdup(#"{"type":"object","properties":{}}"#))
        d.toolchain = sharp_plugin_toolchain()
        let t = UnsafeMutablePointer<sharp_optimizer_vtable_v1>.allocate(capacity: 1)
        t.initialize(to: table)
        d.optimizer = UnsafePointer(t)
        let descriptor = UnsafeMutablePointer<sharp_plugin_descriptor_v1>.allocate(capacity: 1)
        descriptor.initialize(to: d)
        // Fixed text: cannot fail to describe itself.
        return try! LoadedPlugin(path: "(sharp plugin check's base)", descriptor: descriptor)
    }()

    private static let apply: sharp_optimizer_apply_fn_v1 = { _, context, _ in
        guard let c = context?.pointee, let w = c.parameters, let d = c.direction else { return SHARP_ERROR_INVALID_ARGUMENT }
        let n = Int(c.parameter_count)
        if c.dtype == SHARP_DTYPE_FLOAT64 {
            let wp = w.assumingMemoryBound(to: Double.self), dp = d.assumingMemoryBound(to: Double.self)
            for i in 0..<n { wp[i] -= c.learning_rate * dp[i] }
        } else {
            let wp = w.assumingMemoryBound(to: Float.self), dp = d.assumingMemoryBound(to: Float.self)
            let lr = Float(c.learning_rate)
            for i in 0..<n { wp[i] -= lr * dp[i] }
        }
        return SHARP_OK
    }
}
