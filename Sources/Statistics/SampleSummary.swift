/// Mean and a 95% Student-t confidence interval of a sample (`compare`'s cells).
public struct SampleSummary: Equatable, Sendable {
    /// Sample size.
    public var count: Int
    /// Arithmetic mean.
    public var mean: Double
    /// Sample standard deviation (n − 1); nil for n = 1.
    public var standardDeviation: Double?
    /// Standard error of the mean; nil for n = 1.
    public var standardError: Double?
    /// Half-width of the 95% interval, t(0.975, n − 1)·SE; nil for n = 1 (no interval).
    public var halfWidth95: Double?
    /// Smallest value.
    public var minimum: Double
    /// Largest value.
    public var maximum: Double

    /// Summarises `values` (at least one; non-finite values are the caller's to exclude).
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        // Two-pass mean and variance: exact enough for any sample size here.
        mean = values.reduce(0, +) / Double(count)
        minimum = values.min() ?? mean
        maximum = values.max() ?? mean
        guard count > 1 else { return }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        let sd = variance.squareRoot()
        standardDeviation = sd
        standardError = sd / Double(count).squareRoot()
        halfWidth95 = StudentT.quantile(0.975, degreesOfFreedom: Double(count - 1)) * sd / Double(count).squareRoot()
    }
}

/// A paired t-test of one group against a baseline over matching seeds.
public struct PairedTest: Equatable, Sendable {
    /// Number of pairs.
    public var pairs: Int
    /// Mean of (value − baseline).
    public var meanDifference: Double
    /// Half-width of the 95% interval of the mean difference; nil for one pair.
    public var halfWidth95: Double?
    /// The t statistic; nil for one pair.
    public var t: Double?
    /// Degrees of freedom, pairs − 1.
    public var degreesOfFreedom: Int
    /// Two-sided p-value; nil for one pair.
    public var p: Double?

    /// Tests `differences` (value − baseline per seed) against zero.
    public init?(differences: [Double]) {
        guard let summary = SampleSummary(differences) else { return nil }
        pairs = summary.count
        meanDifference = summary.mean
        degreesOfFreedom = summary.count - 1
        halfWidth95 = summary.halfWidth95
        guard let se = summary.standardError else { return }
        if se == 0 {  // identical differences: no spread to test against
            t = summary.mean == 0 ? 0 : (summary.mean > 0 ? .infinity : -.infinity)
            p = summary.mean == 0 ? 1 : 0
        } else {
            let statistic = summary.mean / se
            t = statistic
            p = StudentT.twoSidedP(statistic, degreesOfFreedom: Double(degreesOfFreedom))
        }
    }
}
