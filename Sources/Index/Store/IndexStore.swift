import Foundation

/// The index as the daemon and `sharpq` see it. SQLite implements it today (`SQLiteIndex`); it is
/// kept small, and job claiming is one transactional call, so a PostgreSQL backend
/// (`SELECT … FOR UPDATE SKIP LOCKED`) can be added later without touching callers (docs/index-and-queries.md §5).
public protocol IndexStore: AnyObject {
    // MARK: Checkpoints

    /// Inserts a checkpoint by content hash, or finds it; records `path` as one of its paths.
    /// A copied or renamed file therefore adds a path, never a row.
    @discardableResult
    func upsertCheckpoint(_ record: CheckpointRecord, path: String, at now: Date) throws -> CheckpointUpsert

    /// Records a file that cannot be read as a checkpoint (status `quarantined`, with the reason).
    @discardableResult
    func recordUnreadableFile(sha256: String, path: String, sizeBytes: Int, reason: String, at now: Date) throws
        -> Int64

    /// Marks `path` as gone; a checkpoint with no present path becomes `missing` (metrics kept).
    func markPathMissing(_ path: String, at now: Date) throws

    // MARK: Results

    /// Upserts every metric and series row in one transaction.
    func recordResults(_ results: ScoringResults, at now: Date) throws

    // MARK: Jobs

    /// Queues a job for each checkpoint (one, or all when `checkpointID` is nil) × plugin key that
    /// has neither a job nor results yet. Returns how many were queued.
    @discardableResult
    func enqueueJobs(checkpointID: Int64?, plugins: [PluginKey], priority: Int, at now: Date) throws -> Int

    /// Atomically takes the next runnable queued job (highest priority, newest checkpoint) and
    /// marks it running for `worker`; nil when none. Two callers never get the same job.
    func claimNextJob(worker: String, at now: Date) throws -> Job?

    /// Refreshes a running job's heartbeat; false if `worker` no longer holds it.
    @discardableResult
    func heartbeat(jobID: Int64, worker: String, at now: Date) throws -> Bool

    /// Records the results and marks the job done, in one transaction; false (and nothing
    /// recorded) if `worker` no longer holds it (it was requeued and reclaimed meanwhile).
    @discardableResult
    func completeJob(id: Int64, worker: String, results: ScoringResults, at now: Date) throws -> Bool

    /// Records a failed attempt. With `retryAt` the job is queued again (not before that time),
    /// otherwise it is `failed` for good. False if `worker` no longer holds it.
    @discardableResult
    func failJob(id: Int64, worker: String, reason: String, retryAt: Date?, at now: Date) throws -> Bool

    /// Crash recovery: running jobs whose heartbeat is older than `heartbeatBefore`, or whose
    /// worker is in `deadWorkers`, go back to `queued` — or to `failed` once they have been
    /// claimed `maxAttempts` times (a plugin that kills its worker every time). Returns the count.
    @discardableResult
    func requeueStaleJobs(heartbeatBefore: Date, deadWorkers: [String], maxAttempts: Int, at now: Date) throws -> Int

    // MARK: Queries

    /// Checkpoints ranked by one metric (`sharpq top`).
    func top(_ query: TopQuery) throws -> TopResult
    /// Checkpoints with identity columns and chosen metrics (`sharpq list`).
    func listCheckpoints(_ query: ListQuery) throws -> ListResult
    /// One checkpoint by hash prefix, with everything recorded about it (`sharpq show`).
    func checkpointDetail(prefix: String) throws -> CheckpointDetail
    /// Every metric present, with counts (`sharpq metrics`).
    func metricSummaries() throws -> [MetricSummary]
    /// The per-run values `compare` aggregates.
    func comparisonSamples(_ query: CompareQuery) throws -> [ComparisonSample]
    /// Job counts per plugin version and state.
    func jobSummaries() throws -> [JobSummary]
    /// Jobs in one state, newest activity first, at most `limit` (0 = all), plus the total.
    func jobs(state: JobState, limit: Int) throws -> (jobs: [Job], total: Int)
}
