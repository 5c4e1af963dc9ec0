import Index
import Foundation

/// `sharpq runs`: one row per training run, newest first. Same fields as `list`: the filters
/// select which checkpoints count, the metrics are the run's last checkpoint's current values.
public typealias RunsQuery = ListQuery

/// One training run, summarised from its checkpoints in the index.
public struct RunSummary: Equatable, Sendable {
    /// Run id (manifest `runID`).
    public var runID: String
    /// The run's last checkpoint (highest step, then newest): training state comes from it.
    public var last: CheckpointSummary
    /// The run's stop reason, from the last checkpoint (`running` while it trains).
    public var stopReason: String?
    /// Checkpoints of the run in the index (that match the filters).
    public var checkpoints: Int
    /// The highest epoch among them.
    public var lastEpoch: Int?
    /// The newest checkpoint's `created_at`: the run's position in the listing.
    public var lastCreatedAt: Date?
    /// One reading per requested metric, from the last checkpoint.
    public var readings: [MetricReading]
}

/// `sharpq runs`'s answer.
public struct RunsResult: Equatable, Sendable {
    /// The resolved metric columns.
    public var metrics: [MetricRef]
    /// The runs shown, newest first (ties by run id).
    public var runs: [RunSummary]
    /// How many runs matched in all.
    public var total: Int
}
