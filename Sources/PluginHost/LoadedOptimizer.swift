import CSharpPlugin

/// One optimizer instance for one model: a plugin's state for a parameter layout, composed with
/// its base optimizer when it wraps one (`sam` over `adam` by default).
///
/// A trainer calls `step(parameters:oracle:)` once per mini-batch with the model's flat parameter
/// buffer; the plugin calls the oracle 1–3 times (the report counts them) and leaves the new
/// weights in the buffer. Not thread-safe: one trainer drives one instance.
public final class LoadedOptimizer {
    /// The plugin.
    public let plugin: LoadedPlugin
    /// The base optimizer, for wrappers.
    public let base: LoadedOptimizer?
    /// This plugin's resolved hyperparameters (defaults filled in).
    public let hyperparameters: [String: HyperparameterValue]
    /// The same, as the JSON object the plugin received (what a checkpoint manifest records).
    public let hyperparametersJSON: String
    /// The layout the state was created for.
    public let layout: [ParameterLayoutEntry]
    /// Length of the flat buffer.
    public let parameterCount: Int
    /// `SHARP_DTYPE_*` of the buffers.
    public let dtype: UInt32
    /// The learning rate passed to the next step; starts at the `lr` hyperparameter (of the base,
    /// for wrappers; 1e-3 if no schema declares one). A schedule sets it before each step.
    public var learningRate: Double
    /// Steps taken (saved with the state, so a resumed run numbers steps on).
    public var stepCount = 0
    /// Oracle calls over all steps.
    public private(set) var passCount = 0
    let state: UnsafeMutableRawPointer

    /// Creates `name` (with `base`, or the plugin's default base, if it wraps one) for a layout.
    ///
    /// Hyperparameter keys go to the plugin that declares them, the wrapper first; `base.KEY`
    /// forces the base. Unknown keys, bad types and out-of-range values are errors naming the key.
    public convenience init(registry: PluginRegistry, name: String, base: String? = nil, layout: [ParameterLayoutEntry],
                            elementType: any OptimizerScalar.Type = Float.self, hyperparameters: [String: HyperparameterValue] = [:]) throws {
        let plugin = try registry.optimizer(named: name)
        var own: [String: HyperparameterValue] = [:], forBase: [String: HyperparameterValue] = [:]
        var baseOptimizer: LoadedOptimizer?
        if plugin.wrapsBase {
            let baseName = base ?? plugin.defaultBase ?? "adam"
            let basePlugin = try registry.optimizer(named: baseName)
            guard basePlugin.canBeBase else { throw PluginHostError.invalidUse("\(baseName) cannot be used as a base optimizer") }
            for (key, value) in hyperparameters {
                if key.hasPrefix("base.") { forBase[String(key.dropFirst(5))] = value }
                else if plugin.schema.declares(key) { own[key] = value }
                else if basePlugin.schema.declares(key) { forBase[key] = value }
                else { own[key] = value }  // reported as unknown by the wrapper's schema, naming both
            }
            do {
                baseOptimizer = try LoadedOptimizer(plugin: basePlugin, base: nil, layout: layout, elementType: elementType, hyperparameters: forBase)
            } catch let PluginHostError.invalidHyperparameter(_, reason) {
                throw PluginHostError.invalidHyperparameter(plugin: "\(name) (base \(baseName))", reason: reason)
            }
        } else {
            guard base == nil else { throw PluginHostError.invalidUse("\(name) is a base optimizer; it takes no --base") }
            own = hyperparameters
        }
        try self.init(plugin: plugin, base: baseOptimizer, layout: layout, elementType: elementType, hyperparameters: own)
    }

    package init(plugin: LoadedPlugin, base: LoadedOptimizer?, layout: [ParameterLayoutEntry], elementType: any OptimizerScalar.Type,
         hyperparameters: [String: HyperparameterValue]) throws {
        let resolved: [String: HyperparameterValue]
        do {
            resolved = try plugin.schema.resolve(hyperparameters)
        } catch {
            let baseKeys = base.map { " (its base \($0.plugin.name) takes: \($0.plugin.schema.properties.map(\.name).joined(separator: ", ")))" } ?? ""
            throw PluginHostError.invalidHyperparameter(plugin: plugin.name, reason: "\(error)\(baseKeys)")
        }
        dtype = elementType.abiDType
        guard dtype == SHARP_DTYPE_FLOAT32 || plugin.supportsFloat64 else {
            throw PluginHostError.invalidUse("\(plugin.name) runs in float32 only")
        }
        let json = plugin.schema.json(resolved)
        let table = plugin.optimizerTable
        var made: UnsafeMutableRawPointer?
        try withCLayout(layout, dtype: dtype) { cLayout in
            try callPlugin(plugin.name, "create") { message in json.withCString { table.create(cLayout, $0, &made, message) } }
        }
        guard let made else { throw PluginHostError.pluginFailed(plugin: plugin.name, operation: "create", status: 0, message: "returned no state") }
        self.plugin = plugin
        self.base = base
        self.hyperparameters = resolved
        hyperparametersJSON = json
        self.layout = layout
        parameterCount = layout.reduce(0) { $0 + $1.count }
        learningRate = (base?.hyperparameters["lr"] ?? resolved["lr"])?.number ?? 1e-3
        state = made
    }

    deinit { plugin.optimizerTable.destroy(state) }

    /// The optimizer's name as a user would write it: `sam+adam`, or `adam`.
    public var compositeName: String { base.map { "\(plugin.name)+\($0.plugin.name)" } ?? plugin.name }

    /// One optimizer step: the plugin evaluates `oracle` (1–3 times) and updates `parameters`.
    public func step<S: OptimizerScalar>(parameters: UnsafeMutableBufferPointer<S>, epoch: Int = 0,
                                         oracle: GradientOracle<S>) throws -> StepReport {
        try check(parameters.count, S.self)
        // The box holds the oracle only while the plugin runs, so it need not escape.
        return try withoutActuallyEscaping(oracle) { oracle in try step(parameters, epoch, OracleBox(count: parameterCount, oracle)) }
    }

    private func step<S: OptimizerScalar>(_ parameters: UnsafeMutableBufferPointer<S>, _ epoch: Int, _ box: OracleBox) throws -> StepReport {
        var context = makeContext(parameters, box, epoch: epoch)
        var result = sharp_step_result_v1(loss: .nan, gradient_norm: .nan)
        let table = plugin.optimizerTable
        try withExtendedLifetime(box) {
            try callPlugin(plugin.name, "step", callbackError: { box.error }) { table.step(state, &context, &result, $0) }
        }
        stepCount += 1
        passCount += box.passes
        return StepReport(loss: result.loss, gradientNorm: result.gradient_norm.isNaN ? nil : result.gradient_norm, passes: box.passes)
    }

    /// The ascent perturbation e(w) the optimizer would apply at `parameters` on the oracle's batch,
    /// written to `perturbation`; nil for optimizers without one (base optimizers). Weights and
    /// state are left unchanged; no oracle call updates statistics.
    public func perturbation<S: OptimizerScalar>(parameters: UnsafeMutableBufferPointer<S>, into perturbation: UnsafeMutableBufferPointer<S>,
                                                 oracle: GradientOracle<S>) throws -> StepReport? {
        try check(parameters.count, S.self)
        try check(perturbation.count, S.self)
        guard plugin.hasPerturbation else { return nil }
        return try withoutActuallyEscaping(oracle) { oracle in try perturb(parameters, perturbation, OracleBox(count: parameterCount, oracle)) }
    }

    private func perturb<S: OptimizerScalar>(_ parameters: UnsafeMutableBufferPointer<S>, _ perturbation: UnsafeMutableBufferPointer<S>,
                                             _ box: OracleBox) throws -> StepReport {
        guard let perturb = plugin.optimizerTable.perturb else { preconditionFailure("checked by the caller") }
        var context = makeContext(parameters, box, epoch: 0)
        var result = sharp_step_result_v1(loss: .nan, gradient_norm: .nan)
        try withExtendedLifetime(box) {
            try callPlugin(plugin.name, "perturb", callbackError: { box.error }) {
                perturb(state, &context, perturbation.baseAddress, &result, $0)
            }
        }
        return StepReport(loss: result.loss, gradientNorm: result.gradient_norm.isNaN ? nil : result.gradient_norm, passes: box.passes)
    }

    private func check<S: OptimizerScalar>(_ count: Int, _: S.Type) throws {
        guard count == parameterCount, S.abiDType == dtype else {
            throw PluginHostError.invalidUse("\(compositeName): a buffer of \(count) \(S.self) values for state created for \(parameterCount) of dtype \(dtype)")
        }
    }

    private func makeContext<S: OptimizerScalar>(_ parameters: UnsafeMutableBufferPointer<S>, _ box: OracleBox, epoch: Int) -> sharp_step_context_v1 {
        let baseHandle = base.map { sharp_base_optimizer_v1(state: $0.state, apply: $0.plugin.optimizerTable.apply) }
            ?? sharp_base_optimizer_v1(state: nil, apply: nil)
        return sharp_step_context_v1(
            abi_version: SHARP_PLUGIN_ABI_VERSION, dtype: dtype, parameters: UnsafeMutableRawPointer(parameters.baseAddress),
            parameter_count: Int64(parameterCount), oracle_user_data: Unmanaged.passUnretained(box).toOpaque(),
            loss_and_gradient: OracleBox.callback, base: baseHandle, step: Int64(stepCount + 1), epoch: Int64(epoch),
            learning_rate: learningRate)
    }
}

/// What one step did.
public struct StepReport: Sendable {
    /// Loss of the clean pass at w.
    public let loss: Double
    /// ‖g‖ of the clean gradient, when the plugin computed it.
    public let gradientNorm: Double?
    /// Oracle calls (forward + backward passes) this step made.
    public let passes: Int
}
