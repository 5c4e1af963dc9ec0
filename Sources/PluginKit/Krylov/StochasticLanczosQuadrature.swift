/// Stochastic Lanczos quadrature (docs/algorithms.md#stochastic-lanczos-quadrature): each run starts Lanczos from a
/// normalised Rademacher vector, takes `steps` steps with full reorthogonalisation, and turns
/// T into quadrature nodes θ_k (its eigenvalues) and weights w_k (squared first components).
/// Pooled over runs with equal run weights, the nodes approximate the eigenvalue distribution
/// (ESD) of H; every statistic is taken from the raw nodes, never from a smoothed density.
public enum StochasticLanczosQuadrature {
    /// One run's quadrature rule.
    public struct Run: Sendable {
        /// Nodes θ_k, ascending.
        public let nodes: [Double]
        /// Weights w_k (sum 1).
        public let weights: [Double]
        /// α₁ = v₁ᵀHv₁ and β₁ (Σwθ = α₁ and Σwθ² = α₁² + β₁² are exact identities).
        public let alpha1: Double, beta1: Double
        /// Products used.
        public let products: Int
    }

    /// `runs` runs of at most `steps` steps; run r draws its start from stream r of `seed`, so
    /// a run does not depend on how many runs there are.
    public static func runs(_ hessian: HessianOperator, runs: Int, steps: Int, seed: UInt64) throws -> [Run] {
        try (0..<runs).map { r in
            var random = ProbeRandom(seed: seed, stream: UInt64(r))
            let start = random.rademacherVector(hessian.dimension)
            let result = try Lanczos.run(hessian, start: start, maxSteps: steps)
            return Run(nodes: result.ritzValues, weights: result.quadratureWeights, alpha1: result.alpha[0],
                       beta1: result.alpha.count > 1 ? result.beta[0] : 0, products: result.products)
        }
    }

    /// All runs pooled, each run weighing 1/runs.
    public static func pooled(_ runs: [Run]) -> WeightedDistribution {
        WeightedDistribution(values: runs.flatMap(\.nodes), weights: runs.flatMap(\.weights))
    }

    /// A Gaussian-smoothed density of the pooled nodes on `points` grid points, with Papyan's
    /// width σ = (λ_max − λ_min)/((m − 1)·√(8 ln 3)) (docs/algorithms.md#smoothing-for-plots), integrating to 1
    /// over the grid (trapezoid). For plots only.
    public static func density(_ runs: [Run], steps: Int, points: Int = 512) -> (x: [Double], y: [Double]) {
        let all = pooled(runs)
        guard let low = all.values.first, let high = all.values.last else { return ([], []) }
        let range = max(high - low, 1e-12 * max(abs(high), 1))
        let sigma = range / (Double(max(steps - 1, 1)) * (8 * log(3.0)).squareRoot())
        let (start, end) = (low - 3 * sigma, high + 3 * sigma)
        let dx = (end - start) / Double(points - 1)
        let x = (0..<points).map { start + Double($0) * dx }
        var y = x.map { t in
            zip(all.values, all.weights).reduce(0.0) { sum, node in
                let u = (t - node.0) / sigma
                return sum + node.1 * exp(-0.5 * u * u)
            } / (sigma * (2 * Double.pi).squareRoot())
        }
        let integral = zip(y.dropFirst(), y).reduce(0) { $0 + ($1.0 + $1.1) / 2 * dx }
        if integral > 0 { VectorMath.scale(&y, by: 1 / integral) }
        return (x, y)
    }
}

#if canImport(Glibc)
import Glibc
#endif
