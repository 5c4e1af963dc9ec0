/// `sharpq compare`: group runs by one field (rows) and optionally another (columns), and
/// summarise metrics over seeds.
public struct CompareQuery: Equatable, Sendable {
    /// Row grouping key (`optimizer`).
    public var rows: String
    /// Column grouping key (`model`), or nil for one column.
    public var cols: String?
    /// Metrics (or numeric checkpoint fields such as `elapsed_seconds`) to summarise.
    public var metrics: [String]
    /// ANDed conditions.
    public var filters: [Filter]
    /// Use every matching checkpoint instead of each run's last one.
    public var everyCheckpoint: Bool

    /// A comparison; each run contributes its last matching checkpoint (highest step).
    public init(rows: String, cols: String? = nil, metrics: [String], filters: [Filter] = [], everyCheckpoint: Bool = false) {
        self.rows = rows
        self.cols = cols
        self.metrics = metrics
        self.filters = filters
        self.everyCheckpoint = everyCheckpoint
    }
}

/// One run's value of one metric, with its group keys.
public struct ComparisonSample: Equatable, Sendable {
    /// Row key value (`sam`).
    public var row: String
    /// Column key value (`vgg-mini`), nil without `--cols`.
    public var col: String?
    /// Metric display name.
    public var metric: String
    /// Run id.
    public var runID: String
    /// The run's seed (the pairing key).
    public var seed: UInt64?
    /// The checkpoint used.
    public var checkpoint: String
    /// The value.
    public var value: MetricValue

    /// Makes a sample.
    public init(row: String, col: String?, metric: String, runID: String, seed: UInt64?, checkpoint: String, value: MetricValue) {
        self.row = row
        self.col = col
        self.metric = metric
        self.runID = runID
        self.seed = seed
        self.checkpoint = checkpoint
        self.value = value
    }
}
