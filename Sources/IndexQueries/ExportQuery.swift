import Index
/// `sharpq export`: every checkpoint with its identity columns and current metric values, for
/// pandas and spreadsheets.
public struct ExportQuery: Equatable, Sendable {
    /// ANDed conditions (as in `list`).
    public var filters: [Filter]
    /// Metrics to include (empty: every metric in the index).
    public var metrics: [String]
    /// One row per (checkpoint, metric) with the metric's provenance, instead of one per checkpoint.
    public var long: Bool

    /// An export; wide (one row per checkpoint) unless `long`.
    public init(filters: [Filter] = [], metrics: [String] = [], long: Bool = false) {
        self.filters = filters
        self.metrics = metrics
        self.long = long
    }
}

/// What an export will write: its columns, fixed before the first row (so a streamed CSV header
/// is right), and how to read the rows.
public struct ExportPlan {
    /// Column names in output order.
    public let columns: [String]
    /// The metrics exported.
    public let metrics: [MetricRef]
    /// How many checkpoints match.
    public let checkpointCount: Int
    let hyperparameterKeys: [String]
    let condition: SQLCondition
    let long: Bool
}
