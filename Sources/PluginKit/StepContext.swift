import CSharpPlugin

/// What one optimizer step sees: the weights, the gradient oracle on the current mini-batch, the
/// base optimizer (for wrappers) and the step/epoch/learning rate.
public struct StepContext<Scalar: PluginScalar> {
    /// The weights w, updated in place by the step.
    public let parameters: UnsafeMutableBufferPointer<Scalar>
    /// 1-based number of this step.
    public let step: Int
    /// 0-based epoch.
    public let epoch: Int
    /// This step's learning rate (the host owns the schedule).
    public let learningRate: Double
    let raw: UnsafePointer<sharp_step_context_v1>

    init(_ raw: UnsafePointer<sharp_step_context_v1>, parameterCount: Int) throws {
        let c = raw.pointee
        guard c.abi_version == SHARP_PLUGIN_ABI_VERSION else {
            throw PluginError.invalidArgument("step context has ABI version \(c.abi_version), expected \(SHARP_PLUGIN_ABI_VERSION)")
        }
        guard c.dtype == Scalar.dtypeCode, Int(c.parameter_count) == parameterCount, let p = c.parameters else {
            throw PluginError.invalidArgument(
                "step context has \(c.parameter_count) parameters of dtype \(c.dtype); the state was created for \(parameterCount) of dtype \(Scalar.dtypeCode)")
        }
        guard c.loss_and_gradient != nil else { throw PluginError.invalidArgument("step context has no loss_and_gradient callback") }
        parameters = UnsafeMutableBufferPointer(start: p.assumingMemoryBound(to: Scalar.self), count: parameterCount)
        step = Int(c.step)
        epoch = Int(c.epoch)
        learningRate = c.learning_rate
        self.raw = raw
    }

    /// Loss and gradient on the current mini-batch at the current contents of `parameters`.
    public func lossAndGradient(into gradient: UnsafeMutableBufferPointer<Scalar>, pass: Pass) throws -> Double {
        try lossAndGradient(at: UnsafeBufferPointer(parameters), into: gradient, pass: pass)
    }

    /// Loss and gradient on the current mini-batch at `point` (same data and dropout masks).
    public func lossAndGradient(at point: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>, pass: Pass) throws -> Double {
        precondition(point.count == parameters.count && gradient.count == parameters.count, "lossAndGradient: buffers must have the parameter count")
        var loss = Double.nan
        let flags: UInt32 = pass == .clean ? SHARP_PASS_UPDATE_STATISTICS : 0
        let status = raw.pointee.loss_and_gradient(raw.pointee.oracle_user_data, point.baseAddress, gradient.baseAddress, &loss, flags)
        guard status == SHARP_OK else { throw PluginError.callbackFailed("loss_and_gradient returned \(status)") }
        return loss
    }

    /// True when the host supplied a base optimizer.
    public var hasBase: Bool { raw.pointee.base.apply != nil }

    /// Lets the base optimizer take its step at `parameters` along `direction`.
    public func baseStep(direction: UnsafeBufferPointer<Scalar>) throws {
        guard let apply = raw.pointee.base.apply else { throw PluginError.invalidArgument("this optimizer needs a base optimizer and the host gave none") }
        var c = rawApplyContext(direction: direction)
        // The message buffer lives on the stack: a step allocates nothing.
        let (status, why) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> (Int32, String) in
            buffer[0] = 0
            var message = sharp_message_v1(text: buffer.baseAddress, capacity: buffer.count)
            let status = apply(raw.pointee.base.state, &c, &message)
            return (status, status == SHARP_OK ? "" : String(cString: buffer.baseAddress!))
        }
        guard status == SHARP_OK else { throw PluginError(code: status, "base optimizer: \(why)") }
    }

    /// The same step as seen by a base optimizer moving along `direction`.
    public func applyContext(direction: UnsafeBufferPointer<Scalar>) -> ApplyContext<Scalar> {
        ApplyContext(parameters: parameters, direction: direction, learningRate: learningRate, step: step, epoch: epoch)
    }

    private func rawApplyContext(direction: UnsafeBufferPointer<Scalar>) -> sharp_apply_context_v1 {
        precondition(direction.count == parameters.count, "baseStep: direction must have the parameter count")
        return sharp_apply_context_v1(
            abi_version: SHARP_PLUGIN_ABI_VERSION, dtype: Scalar.dtypeCode, parameters: UnsafeMutableRawPointer(parameters.baseAddress),
            direction: UnsafeRawPointer(direction.baseAddress), parameter_count: Int64(parameters.count),
            learning_rate: learningRate, step: Int64(step), epoch: Int64(epoch))
    }
}

/// What a base optimizer's `apply` sees: weights, a direction, and the step's schedule values.
public struct ApplyContext<Scalar: PluginScalar> {
    /// The weights w, updated in place.
    public let parameters: UnsafeMutableBufferPointer<Scalar>
    /// The direction d (a gradient, or a wrapper's combination of gradients).
    public let direction: UnsafeBufferPointer<Scalar>
    /// This step's learning rate.
    public let learningRate: Double
    /// 1-based step number.
    public let step: Int
    /// 0-based epoch.
    public let epoch: Int

    /// A context built in-process (a wrapper may also call its own base directly).
    public init(parameters: UnsafeMutableBufferPointer<Scalar>, direction: UnsafeBufferPointer<Scalar>, learningRate: Double, step: Int, epoch: Int) {
        self.parameters = parameters
        self.direction = direction
        self.learningRate = learningRate
        self.step = step
        self.epoch = epoch
    }

    init(_ raw: UnsafePointer<sharp_apply_context_v1>, parameterCount: Int) throws {
        let c = raw.pointee
        guard c.abi_version == SHARP_PLUGIN_ABI_VERSION, c.dtype == Scalar.dtypeCode, Int(c.parameter_count) == parameterCount,
              let p = c.parameters, let d = c.direction else {
            throw PluginError.invalidArgument(
                "apply context: \(c.parameter_count) parameters of dtype \(c.dtype), ABI \(c.abi_version); expected \(parameterCount) of dtype \(Scalar.dtypeCode)")
        }
        parameters = UnsafeMutableBufferPointer(start: p.assumingMemoryBound(to: Scalar.self), count: parameterCount)
        direction = UnsafeBufferPointer(start: d.assumingMemoryBound(to: Scalar.self), count: parameterCount)
        learningRate = c.learning_rate
        step = Int(c.step)
        epoch = Int(c.epoch)
    }
}
