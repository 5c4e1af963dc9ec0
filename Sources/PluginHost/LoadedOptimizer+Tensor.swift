import Tensor

extension LoadedOptimizer {
    /// One step on a flat parameter tensor (a model's `parameterVector`, float32 or float64), for a
    /// trainer that works with `Tensor`s. Returns the updated parameters as a new tensor.
    ///
    /// The oracle gets a tensor of the point to evaluate. At the weights themselves (the clean
    /// pass) that tensor shares the buffer being updated, so no copy is made, and it is valid only
    /// during the call; a perturbed point (the built-ins evaluate w + e in a buffer of their own)
    /// is copied into a new tensor. The returned gradient is copied into the plugin's buffer
    /// (converted if its dtype differs). The pointer form of `step` avoids both copies.
    public func step(parameters: Tensor, epoch: Int = 0,
                     oracle: (_ point: Tensor, _ pass: OraclePass) throws -> (loss: Double, gradient: Tensor)) throws -> (parameters: Tensor, report: StepReport) {
        guard parameters.count == parameterCount else {
            throw PluginHostError.invalidUse("\(compositeName): a tensor of \(parameters.count) parameters for state created for \(parameterCount)")
        }
        let updated = parameters.copy().reshaped([parameterCount])  // fresh storage this step owns and writes
        switch updated.dtype {
        case .float32: return (updated, try step(updated, Float.self, epoch, oracle))
        case .float64: return (updated, try step(updated, Double.self, epoch, oracle))
        }
    }

    private func step<S: OptimizerScalar & TensorScalar>(_ w: Tensor, _: S.Type, _ epoch: Int,
                                                         _ oracle: (Tensor, OraclePass) throws -> (loss: Double, gradient: Tensor)) throws -> StepReport {
        let buffer = UnsafeMutableBufferPointer(start: w.pointer(S.self), count: parameterCount)
        return try step(parameters: buffer, epoch: epoch) { point, gradient, pass in
            let at = point.baseAddress == UnsafePointer(buffer.baseAddress) ? w : Tensor(shape: [parameterCount], scalars: Array(point))
            let (loss, g) = try oracle(at, pass)
            guard g.count == parameterCount else {
                throw PluginHostError.invalidUse("\(compositeName): the oracle returned \(g.count) gradient values for \(parameterCount) parameters")
            }
            let source = g.dtype == S.dtype ? g : g.converted(to: S.dtype)
            gradient.baseAddress!.update(from: source.pointer(S.self), count: parameterCount)
            return loss
        }
    }
}
