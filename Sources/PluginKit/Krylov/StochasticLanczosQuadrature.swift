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
        /// T of the run: α₁…α_m and β₁…β_m (the last β is the final residual's norm).
        public let alpha: [Double], beta: [Double]
        /// Products used.
        public let products: Int

        /// α₁ = v₁ᵀHv₁ (Σwθ = α₁ exactly).
        public var alpha1: Double { alpha[0] }
        /// β₁, 0 after one step (Σwθ² = α₁² + β₁² exactly, so the run's eigenvalue SD is β₁).
        public var beta1: Double { alpha.count > 1 ? beta[0] : 0 }

        /// The rule of this run's first `steps` steps: Lanczos from the same start stopped there
        /// (its T is the leading block of this one).
        public func prefix(_ steps: Int) throws -> Run {
            let m = min(steps, alpha.count)
            return try Run(alpha: Array(alpha.prefix(m)), beta: Array(beta.prefix(m)))
        }

        /// The rule of a Lanczos run whose T has diagonal `alpha` and couplings `beta`.
        public init(alpha: [Double], beta: [Double]) throws {
            let t = try SymmetricTridiagonal(diagonal: alpha, offDiagonal: Array(beta.prefix(max(alpha.count - 1, 0)))).eigensystem()
            self.init(nodes: t.values, weights: t.quadratureWeights, alpha: alpha, beta: beta, products: alpha.count)
        }

        init(nodes: [Double], weights: [Double], alpha: [Double], beta: [Double], products: Int) {
            (self.nodes, self.weights, self.alpha, self.beta, self.products) = (nodes, weights, alpha, beta, products)
        }
    }

    /// `runs` runs of at most `steps` steps; run r draws its start from stream r of `seed`, so
    /// a run does not depend on how many runs there are.
    public static func runs(_ hessian: HessianOperator, runs: Int, steps: Int, seed: UInt64, settle: Double = 0) throws -> [Run] {
        try (0..<runs).map { try run(hessian, stream: UInt64($0), steps: steps, seed: seed, settle: settle) }
    }

    /// How often a settling run compares its rule with the one `settleInterval` steps before.
    public static let settleInterval = 10

    /// Run number `stream` of `seed`: at most `steps` steps from its Rademacher start. With
    /// `settle` > 0 the run ends early once its rule has settled: at the first multiple j of
    /// `settleInterval` from 2·`settleInterval` on where the W1 distance between the rules after j
    /// and j − 10 steps is ≤ `settle`·E|θ| (E|θ| of the rule after j steps: the rule's own W1
    /// distance from the zero spectrum, so the test does not depend on the Hessian's scale).
    public static func run(_ hessian: HessianOperator, stream: UInt64, steps: Int, seed: UInt64, settle: Double = 0) throws -> Run {
        var random = ProbeRandom(seed: seed, stream: stream)
        let start = random.rademacherVector(hessian.dimension)
        var earlier: WeightedDistribution?
        let result = try Lanczos.run(hessian, start: start, maxSteps: steps, until: { step in
            guard settle > 0, step.count % settleInterval == 0 else { return false }
            let rule = step.quadrature
            defer { earlier = rule }
            guard let earlier, step.count >= 2 * settleInterval else { return false }
            return rule.wasserstein1(to: earlier) <= settle * rule.absoluteMean
        })
        return Run(nodes: result.ritzValues, weights: result.quadratureWeights, alpha: result.alpha, beta: result.beta,
                   products: result.products)
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
