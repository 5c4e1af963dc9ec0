/// PyHessian's `eigenvalues(maxIter, tol, top_n)` reproduced step for step (docs/algorithms.md#power-iteration), so
/// published numbers can be matched: Gaussian start normalised by ‖v‖ + 1e-6; each iteration
/// projects v off the eigenvectors found so far (one Gram–Schmidt pass) and renormalises,
/// w = Hv, μ = vᵀw, v = w/(‖w‖ + 1e-6), and stops when |μ − μ_prev|/(|μ_prev| + 1e-6) < tol.
///
/// It converges to the eigenvalue of largest magnitude (a dominant negative one comes back as
/// the "top" eigenvalue) and has no residual check; Lanczos is the default for that reason.
public enum PowerIteration {
    /// One eigenpair as PyHessian returns it.
    public struct Pair: Sendable {
        /// μ as PyHessian keeps it: the estimate before the one that met the tolerance.
        public let value: Double
        /// The last normalised iterate.
        public let vector: [Double]
        /// Products spent on this pair.
        public let products: Int
        /// μ after each iteration: (total products so far, μ).
        public let history: [(products: Int, value: Double)]
        /// The last μ computed (`value` is the one before it, as PyHessian reports).
        public var latest: Double { history.last?.value ?? .nan }
    }

    /// PyHessian's normalisation: v / (‖v‖ + 1e-6).
    static func pyHessianNormalized(_ v: [Double]) -> [Double] {
        var out = v
        VectorMath.scale(&out, by: 1 / (VectorMath.norm(v) + 1e-6))
        return out
    }

    /// The top `count` eigenpairs by deflation, with `random` drawing each start vector.
    ///
    /// `until`, when given, replaces PyHessian's relative-change rule: pair i stops as soon as
    /// `until(i, μ)` is true for its latest estimate μ (tools/bench uses it as an oracle stop).
    public static func run(_ hessian: HessianOperator, count: Int, maxIterations: Int = 100, tolerance: Double = 1e-3,
                           random: inout ProbeRandom, until: ((_ pair: Int, _ estimate: Double) -> Bool)? = nil) throws -> [Pair] {
        var pairs: [Pair] = []
        for _ in 0..<count {
            let start = hessian.productCount
            var v = pyHessianNormalized(random.gaussianVector(hessian.dimension))
            var estimate: Double?
            var history: [(Int, Double)] = []
            for _ in 0..<maxIterations {
                // Project off the pairs found so far (sequential Gram–Schmidt), as PyHessian's `orthnormal`.
                for p in pairs { VectorMath.axpy(-VectorMath.dot(v, p.vector), p.vector, &v) }
                v = pyHessianNormalized(v)
                let w = try hessian(v)
                let current = VectorMath.dot(w, v)
                v = pyHessianNormalized(w)
                history.append((hessian.productCount, current))
                if let until {
                    estimate = current
                    if until(pairs.count, current) { break }
                    continue
                }
                if let previous = estimate, abs(previous - current) / (abs(previous) + 1e-6) < tolerance { break }
                estimate = current
            }
            pairs.append(Pair(value: estimate ?? .nan, vector: v, products: hessian.productCount - start, history: history))
        }
        return pairs
    }
}
