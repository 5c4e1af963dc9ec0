/// Lanczos with full reorthogonalisation in Float64 (hessian.md §2.3 A-LANCZOS, §4.4 A-SLQ).
///
/// Each step applies H once, orthogonalises against the whole basis (classical Gram–Schmidt
/// twice), and solves the small tridiagonal T_j. The caller decides when to stop from the Ritz
/// values and residuals (`stop`); SLQ runs a fixed number of steps instead.
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
        public var quadratureWeights: [Double] { eigensystem.row(0).map { $0 * $0 } }
    }

    /// Runs up to `maxSteps` steps from `start` (normalised here). After each step `stop` sees the
    /// Ritz values (ascending) and residuals and returns true to end the run.
    public static func run(
        _ hessian: HessianOperator, start: [Double], maxSteps: Int,
        stop: (_ ritzValues: [Double], _ residuals: [Double]) -> Bool = { _, _ in false }
    ) throws -> Result {
        let steps = min(maxSteps, hessian.dimension)
        precondition(steps >= 1, "Lanczos: at least one step")
        var basis: [[Double]] = [VectorMath.normalized(start)]
        basis.reserveCapacity(steps)
        var alpha: [Double] = [], beta: [Double] = []
        var history: [(Int, Double)] = []
        var eigensystem = SymmetricTridiagonal.Eigensystem(values: [], vectors: [])
        var residuals: [Double] = []
        var invariant = false
        for j in 0..<steps {
            var w = try hessian(basis[j])
            if j > 0 { VectorMath.axpy(-beta[j - 1], basis[j - 1], &w) }
            let a = VectorMath.dot(basis[j], w)
            VectorMath.axpy(-a, basis[j], &w)
            VectorMath.orthogonalize(&w, against: basis)
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
            if stop(eigensystem.values, residuals) || j == steps - 1 { break }
            VectorMath.scale(&w, by: 1 / b)
            basis.append(w)
        }
        return Result(alpha: alpha, beta: beta, eigensystem: eigensystem, residuals: residuals, products: alpha.count,
                      history: history, invariant: invariant)
    }
}
