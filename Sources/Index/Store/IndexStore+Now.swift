import Foundation

/// The same operations stamped with the current time (tests and recovery code pass explicit
/// times; everyday callers need not).
extension IndexStore {
    /// `upsertCheckpoint(_:path:at:)` now.
    @discardableResult
    public func upsertCheckpoint(_ record: CheckpointRecord, path: String) throws -> CheckpointUpsert {
        try upsertCheckpoint(record, path: path, at: Date())
    }

    /// `recordResults(_:at:)` now.
    public func recordResults(_ results: ScoringResults) throws { try recordResults(results, at: Date()) }

    /// `enqueueJobs(checkpointID:plugins:priority:at:)` now.
    @discardableResult
    public func enqueueJobs(checkpointID: Int64?, plugins: [PluginKey], priority: Int) throws -> Int {
        try enqueueJobs(checkpointID: checkpointID, plugins: plugins, priority: priority, at: Date())
    }

    /// `claimNextJob(worker:at:)` now.
    public func claimNextJob(worker: String) throws -> Job? { try claimNextJob(worker: worker, at: Date()) }

    /// `completeJob(id:worker:results:at:)` now.
    @discardableResult
    public func completeJob(id: Int64, worker: String, results: ScoringResults) throws -> Bool {
        try completeJob(id: id, worker: worker, results: results, at: Date())
    }

    /// `failJob(id:worker:reason:retryAt:at:)` now.
    @discardableResult
    public func failJob(id: Int64, worker: String, reason: String, retryAt: Date?) throws -> Bool {
        try failJob(id: id, worker: worker, reason: reason, retryAt: retryAt, at: Date())
    }
}
