import Foundation

/// Where a job stands. `queued → running → done | failed`; a failed attempt with a retry time,
/// or a running job whose worker died, goes back to `queued`.
public enum JobState: String, CaseIterable, Sendable {
    /// Waiting to be claimed.
    case queued
    /// Claimed by a worker.
    case running
    /// Results recorded.
    case done
    /// Given up; `error` says why.
    case failed
}

/// Claim order: higher first. Newly dropped checkpoints go before backfill of existing ones.
public enum JobPriority {
    /// A checkpoint that just arrived.
    public static let newCheckpoint = 100
    /// Scoring existing checkpoints with a newly found plugin version.
    public static let backfill = 0
}

/// One job: score one checkpoint with one plugin version and parameter set.
public struct Job: Equatable, Sendable {
    /// Row id.
    public var id: Int64
    /// The checkpoint's row id.
    public var checkpointID: Int64
    /// Its content hash.
    public var checkpointSHA256: String
    /// Where the file is now (the most recently seen present path).
    public var path: String
    /// The plugin computation to run.
    public var key: PluginKey
    /// Current state.
    public var state: JobState
    /// Claim order (higher first).
    public var priority: Int
    /// How many times it has been claimed.
    public var attempts: Int
    /// The worker holding it (`host:pid`), while running.
    public var worker: String?
    /// The last failure's reason.
    public var error: String?
    /// When it was queued.
    public var enqueuedAt: Date
    /// When it was last claimed.
    public var claimedAt: Date?
    /// The worker's last sign of life.
    public var heartbeatAt: Date?
    /// When it reached `done` or `failed` (or last failed before a retry).
    public var finishedAt: Date?
}

/// Counts of jobs by state for one plugin version (`sharpq jobs`).
public struct JobSummary: Equatable, Sendable {
    /// Plugin name.
    public var plugin: String
    /// Plugin version.
    public var version: String
    /// Count per state.
    public var counts: [JobState: Int]
}
