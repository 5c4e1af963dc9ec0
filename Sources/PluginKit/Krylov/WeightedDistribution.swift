/// A discrete distribution of values with non-negative weights: SLQ's pooled (θ, w) nodes
/// (docs/algorithms.md#which-eigenvalue-statistics, D1), or equal-weight samples (per-batch values).
public struct WeightedDistribution: Sendable {
    /// Values, ascending.
    public let values: [Double]
    /// Weights in the order of `values`, summing to 1.
    public let weights: [Double]

    /// The distribution of `values` with `weights` (normalised here; they must not all be 0).
    public init(values: [Double], weights: [Double]) {
        precondition(values.count == weights.count && !values.isEmpty, "WeightedDistribution: \(values.count) values, \(weights.count) weights")
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = weights.reduce(0, +)
        precondition(total > 0, "WeightedDistribution: weights sum to \(total)")
        precondition(values.allSatisfy(\.isFinite), "WeightedDistribution: a value that is not finite")
        self.values = order.map { values[$0] }
        self.weights = order.map { weights[$0] / total }
    }

    /// Equal weights.
    public init(samples: [Double]) {
        self.init(values: samples, weights: [Double](repeating: 1, count: samples.count))
    }

    /// Σ wθ.
    public var mean: Double { zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Σ w|θ|: the mean absolute value, which is also the W1 distance from a point mass at 0.
    public var absoluteMean: Double { zip(values, weights).reduce(0) { $0 + abs($1.0) * $1.1 } }

    /// √(Σ w(θ − mean)²): the population SD of the distribution (for SLQ, the eigenvalue SD).
    public var standardDeviation: Double {
        let m = mean
        return zip(values, weights).reduce(0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) }.squareRoot()
    }

    /// The q-quantile: the smallest value whose cumulative weight reaches q, except that where
    /// the cumulative weight equals q exactly the midpoint to the next value is taken, so the
    /// median of equally weighted samples is the usual one.
    public func quantile(_ q: Double) -> Double {
        precondition((0...1).contains(q), "quantile: q = \(q)")
        var cumulative = 0.0
        for i in values.indices {
            cumulative += weights[i]
            // A relative slack absorbs the rounding of the running sum.
            if abs(cumulative - q) <= 1e-12, i + 1 < values.count { return (values[i] + values[i + 1]) / 2 }
            if cumulative >= q { return values[i] }
        }
        return values[values.count - 1]
    }

    /// Median.
    public var median: Double { quantile(0.5) }

    /// The Wasserstein-1 (earth mover's) distance to `other`: ∫|F − G| over the real line, F and
    /// G the two cumulative distribution functions; with `outside` > 0, only over |x| ≥ `outside`
    /// (the part of the distance that lies away from zero).
    public func wasserstein1(to other: WeightedDistribution, outside: Double = 0) -> Double {
        var (i, j, f, g, total) = (0, 0, 0.0, 0.0, 0.0)
        var x = min(values[0], other.values[0])
        while i < values.count || j < other.values.count {
            let next = min(i < values.count ? values[i] : .infinity, j < other.values.count ? other.values[j] : .infinity)
            let inside = max(0, min(next, outside) - max(x, -outside))
            total += abs(f - g) * (next - x - inside)
            x = next
            while i < values.count && values[i] == next { f += weights[i]; i += 1 }
            while j < other.values.count && other.values[j] == next { g += other.weights[j]; j += 1 }
        }
        return total
    }
}

/// Summary statistics of plain samples (probe values, per-run statistics).
public enum SampleStatistics {
    /// Arithmetic mean.
    public static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// Sample SD (n − 1 denominator); NaN for fewer than two samples.
    public static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// Standard error of the mean, SD/√n.
    public static func standardError(_ x: [Double]) -> Double { standardDeviation(x) / Double(x.count).squareRoot() }
}
