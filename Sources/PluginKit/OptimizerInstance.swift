import CSharpPlugin

/// The object behind an optimizer's `void *state`: one plugin instance with its entry points
/// already specialised to its element type, so the C trampolines need no generics.
final class OptimizerInstance {
    let parameterCount: Int
    let step: (UnsafePointer<sharp_step_context_v1>, UnsafeMutablePointer<sharp_step_result_v1>?) throws -> Void
    let apply: (UnsafePointer<sharp_apply_context_v1>) throws -> Void
    typealias Perturb = (UnsafePointer<sharp_step_context_v1>, UnsafeMutableRawPointer, UnsafeMutablePointer<sharp_step_result_v1>?) throws -> Void
    /// nil when the plugin is not a `PerturbingOptimizerPlugin` (its table has no `perturb`).
    let perturb: Perturb?
    let save: () -> [StateTensor]
    let load: (StateTensors) throws -> Void

    convenience init(_ type: any OptimizerPlugin.Type, layout: ParameterLayout, json: String) throws {
        try self.init(opening: type, layout: layout, json: json)
    }

    private init<P: OptimizerPlugin>(opening type: P.Type, layout: ParameterLayout, json: String) throws {
        let plugin = try P(layout: layout, hyperparameters: Hyperparameters(json: json, specs: P.description.parameters))
        let count = layout.parameterCount
        parameterCount = count
        step = { context, result in
            let outcome = try plugin.step(StepContext<P.Scalar>(context, parameterCount: count))
            result?.pointee = sharp_step_result_v1(loss: outcome.loss, gradient_norm: outcome.gradientNorm)
        }
        apply = { context in try plugin.apply(ApplyContext<P.Scalar>(context, parameterCount: count)) }
        perturb = (plugin as? any PerturbingOptimizerPlugin).map { Self.perturbEntry($0, count: count) }
        save = { plugin.saveState() }
        load = { try plugin.loadState($0) }
    }

    private static func perturbEntry<P: PerturbingOptimizerPlugin>(_ plugin: P, count: Int) -> Perturb {
        { context, out, result in
            let e = UnsafeMutableBufferPointer(start: out.assumingMemoryBound(to: P.Scalar.self), count: count)
            let outcome = try plugin.perturbation(StepContext<P.Scalar>(context, parameterCount: count), into: e)
            result?.pointee = sharp_step_result_v1(loss: outcome.loss, gradient_norm: outcome.gradientNorm)
        }
    }
}
