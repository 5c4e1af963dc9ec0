/// Lanczos with full reorthogonalisation in Float64 (docs/algorithms.md#lanczos; SLQ runs it too).
///
/// Each step applies H once, orthogonalises against the whole basis (classical Gram–Schmidt
/// twice), and solves the small tridiagonal T_j. The caller decides when to stop from the Ritz
/// values and residuals (`stop`) or from the whole step (`until`: SLQ's `settle` rule reads the
/// quadrature rule); without a rule it runs `maxSteps` steps.
public enum Lanczos {
    /// The state after the last step.
    public struct Result: Sendable {
        /// α₁…α_m (the diagonal of T).
        public let alpha: [Double]
        /// β₁…β_m: β_j couples v_j and v_{j+1}; the last one is the norm of the final residual
        /// vector, which gives the Ritz residuals.
        public let beta: [Double]
        /// Eigen-decomposition of T_m.
        public let eigensystem: SymmetricTridiagonal.Eigensystem
        /// Ritz residuals ‖H·y_k − θ_k·y_k‖ = β_m·|s_{m,k}|, in the order of the Ritz values.
        public let residuals: [Double]
        /// Hessian-vector products used (one per step).
        public let products: Int
        /// The largest Ritz value after each step: (products so far, θ_max).
        public let history: [(products: Int, largest: Double)]
        /// True when β fell below 1e-10·max|θ|: the Krylov space is invariant and the Ritz values
        /// are eigenvalues.
        public let invariant: Bool

        /// Ritz values θ, ascending.
        public var ritzValues: [Double] { eigensystem.values }
        /// Squared first components of the eigenvectors of T: the SLQ quadrature weights.
        public var quadratureWeights: [Double] { eigensystem.quadratureWeights }
    }

    /// What a stopping rule sees after each step.
    public struct Step: Sendable {
        /// Eigen-decomposition of T_j.
        public let eigensystem: SymmetricTridiagonal.Eigensystem
        /// Ritz residuals, in the order of the Ritz values.
        public let residuals: [Double]
        /// Ritz values θ, ascending.
        public var ritzValues: [Double] { eigensystem.values }
        /// Steps taken so far.
        public var count: Int { eigensystem.values.count }
        /// The quadrature rule of T_j (SLQ's nodes and weights).
        public var quadrature: WeightedDistribution {
            WeightedDistribution(values: eigensystem.values, weights: eigensystem.quadratureWeights)
        }
    }

    /// Runs up to `maxSteps` steps from `start` (normalised here). After each step `stop` sees the
    /// Ritz values (ascending) and residuals and returns true to end the run.
    public static func run(
        _ hessian: HessianOperator, start: [Double], maxSteps: Int,
        stop: (_ ritzValues: [Double], _ residuals: [Double]) -> Bool = { _, _ in false }
    ) throws -> Result {
        try run(hessian, start: start, maxSteps: maxSteps, until: { stop($0.ritzValues, $0.residuals) })
    }

    /// `run` with a rule that sees the whole step (`Step`), the quadrature rule included.
    public static func run(_ hessian: HessianOperator, start: [Double], maxSteps: Int, until stop: (Step) -> Bool) throws -> Result {
        let steps = min(maxSteps, hessian.dimension)
        precondition(steps >= 1, "Lanczos: at least one step")
        let basis = KrylovBasis(dimension: hessian.dimension, capacity: steps)
        var current = VectorMath.normalized(start), previous: [Double] = []
        basis.append(current)
        var alpha: [Double] = [], beta: [Double] = []
        var history: [(Int, Double)] = []
        var eigensystem = SymmetricTridiagonal.Eigensystem(values: [], vectors: [])
        var residuals: [Double] = []
        var invariant = false
        for j in 0..<steps {
            var w = try hessian(current)
            if j > 0 { VectorMath.axpy(-beta[j - 1], previous, &w) }
            let a = VectorMath.dot(current, w)
            VectorMath.axpy(-a, current, &w)
            basis.orthogonalize(&w)
            let b = VectorMath.norm(w)
            alpha.append(a)
            beta.append(b)
            eigensystem = try SymmetricTridiagonal(diagonal: alpha, offDiagonal: Array(beta.dropLast())).eigensystem()
            let lastRow = eigensystem.row(j)
            residuals = lastRow.map { b * abs($0) }
            history.append((j + 1, eigensystem.values.last ?? .nan))
            let scale = eigensystem.values.map(abs).max() ?? 0
            if b <= 1e-10 * max(scale, Double.leastNormalMagnitude) {
                invariant = true
                break
            }
            if stop(Step(eigensystem: eigensystem, residuals: residuals)) || j == steps - 1 { break }
            VectorMath.scale(&w, by: 1 / b)
            basis.append(w)
            previous = current
            current = w
        }
        return Result(alpha: alpha, beta: beta, eigensystem: eigensystem, residuals: residuals, products: alpha.count,
                      history: history, invariant: invariant)
    }

    /// Bounds on the error |λ − θ_i| of each Ritz value (ascending θ, residuals r in that order).
    ///
    /// The residual r_i is rigorous: some eigenvalue lies within r_i of θ_i. If no other
    /// eigenvalue lies within δ_i of θ_i, the error is at most r_i²/δ_i (Kato–Temple; Parlett,
    /// *The Symmetric Eigenvalue Problem*, §11-7). With `gap`, δ_i is estimated from the
    /// neighbouring Ritz values, δ_i = min over neighbours j of |θ_i − θ_j| − r_j, and the
    /// quadratic bound is used only in its asymptotic regime: the neighbours are themselves
    /// resolved (r_j ≤ |θ_i − θ_j|/10) and r_i ≤ δ_i/10. That is an estimate, not a bound: an
    /// eigenvalue the Krylov space has not found yet between θ_i and its neighbours would make it
    /// optimistic (tested: it never was at the extremes past the first steps); the residual has
    /// no such caveat.
    public static func errorBounds(_ theta: [Double], _ residuals: [Double], gap: Bool) -> [Double] {
        guard gap, theta.count > 1 else { return residuals }
        return theta.indices.map { i in
            var delta = Double.infinity
            for j in [i - 1, i + 1] where j >= 0 && j < theta.count {
                let separation = abs(theta[i] - theta[j])
                guard residuals[j] <= 0.1 * separation else { return residuals[i] }
                delta = min(delta, separation - residuals[j])
            }
            let r = residuals[i]
            return r <= 0.1 * delta ? min(r, r * r / delta) : r
        }
    }

    /// `hessian-eigen`'s stopping rule: the `k` largest Ritz values each have an error bound ≤
    /// tol·|θ_i|, and the smallest ≤ tol·max|θ| (`withSmallest`). The plugin uses the residual
    /// (`gap: false`), the rigorous bound; tools/bench prints how many steps the quadratic
    /// estimate would save.
    public static func converged(_ theta: [Double], _ residuals: [Double], k: Int, tolerance tol: Double, gap: Bool = false,
                                 withSmallest: Bool = true) -> Bool {
        guard theta.count > k else { return false }
        let bounds = errorBounds(theta, residuals, gap: gap)
        let scale = max(theta.map(abs).max() ?? 0, Double.leastNormalMagnitude)
        for i in theta.indices.suffix(k) where bounds[i] > tol * max(abs(theta[i]), Double.ulpOfOne * scale) { return false }
        return !withSmallest || bounds[0] <= tol * scale
    }
}
