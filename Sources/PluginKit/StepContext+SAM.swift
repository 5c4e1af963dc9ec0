/// SAM's ascent (Foret et al., ICLR 2021), which SAM, GSAM and CR-SAM start from: g ← ∇L(w),
/// e = ρ·g/(‖g‖ + 1e-12) with one global L2 norm.
extension StepContext {
    /// A step's first pass: g ← ∇L(w) into `gradient` (the clean pass), then the point w + e into
    /// `point`, where the next pass evaluates (w itself is left as it is). Returns the clean loss and ‖g‖.
    public func samPerturbedPoint(rho: Double, gradient: UnsafeMutableBufferPointer<Scalar>,
                                  into point: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        try samAscent(rho: rho, gradient: gradient, into: point, pass: .clean, addingWeights: true)
    }

    /// What `OptimizerPlugin.perturbation` reports for SAM: g ← ∇L(w) into `gradient` (a perturbed
    /// pass: statistics stay frozen), then e itself into `e`. Returns the loss at w and ‖g‖.
    public func samPerturbation(rho: Double, gradient: UnsafeMutableBufferPointer<Scalar>,
                                into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult {
        try samAscent(rho: rho, gradient: gradient, into: e, pass: .perturbed, addingWeights: false)
    }

    private func samAscent(rho: Double, gradient: UnsafeMutableBufferPointer<Scalar>, into out: UnsafeMutableBufferPointer<Scalar>,
                           pass: Pass, addingWeights: Bool) throws -> StepResult {
        let loss = try lossAndGradient(into: gradient, pass: pass)
        let g = UnsafeBufferPointer(gradient)
        let norm = FlatMath.norm(g)
        // FlatMath.perturbedPoint (addingWeights) or FlatMath.perturbation, with power 0: e = s·g.
        Scalar.perturb(UnsafeBufferPointer(parameters), direction: g, scale: rho / (norm + 1e-12), eta: 0, power: 0, into: out,
                       addingWeights: addingWeights)
        return StepResult(loss: loss, gradientNorm: norm)
    }
}
