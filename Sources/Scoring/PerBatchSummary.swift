/// Median, mean, SD (n − 1), min and max of one value per batch (docs/algorithms.md#per-batch-mode).
struct PerBatchSummary {
    let values: [Double]

    /// The summaries as `per_batch_<statistic>` scalars; the mean carries its standard error.
    func scalars(hvpCount: Int, seconds: Double) -> [MetricOutcome.Scalar] {
        let sorted = values.sorted()
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : Double.nan
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return [
            .init(name: "per_batch_median", value: median, standardError: nil, hvpCount: hvpCount, seconds: seconds),
            .init(name: "per_batch_mean", value: mean, standardError: sd.isFinite ? sd / n.squareRoot() : nil, hvpCount: hvpCount, seconds: seconds),
            .init(name: "per_batch_sd", value: sd, standardError: nil, hvpCount: hvpCount, seconds: seconds),
            .init(name: "per_batch_min", value: sorted[0], standardError: nil, hvpCount: hvpCount, seconds: seconds),
            .init(name: "per_batch_max", value: sorted[sorted.count - 1], standardError: nil, hvpCount: hvpCount, seconds: seconds),
        ]
    }
}
