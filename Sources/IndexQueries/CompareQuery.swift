import Index
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

    /// The row every other row is paired against unless another is named.
    public static let defaultBaseline = "adam"
    /// Row values in the order comparisons list them unless told otherwise: the built-in
    /// optimizers, oldest first, the order the study reports them in (others follow, sorted).
    public static let defaultRowOrder = ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"]

    /// A comparison; each run contributes its last matching checkpoint (highest step).
    public init(rows: String, cols: String? = nil, metrics: [String], filters: [Filter] = [], everyCheckpoint: Bool = false) {
        self.rows = rows
        self.cols = cols
        self.metrics = metrics
        self.filters = filters
        self.everyCheckpoint = everyCheckpoint
    }
}
