import Foundation

/// What the daemon's dispatcher needs beyond claiming one job: batches of one checkpoint's jobs
/// (one worker process scores them together, sharing the rebuilt model and data), hand-backs
/// that do not count as attempts, and the next retry time (so the loop sleeps until then
/// instead of polling).
extension IndexStore {
    /// Claims up to `limit` more runnable queued jobs of one checkpoint for `worker`, leased like
    /// `claimNextJob`'s, in claim order, in one transaction.
    public func claimJobs(checkpointID: Int64, worker: String, limit: Int, lease: TimeInterval = JobLease.standard,
                          at now: Date) throws -> [Job] {
        guard limit > 0 else { return [] }
        let ids = try db.transaction {
            try db.rows(
                """
                UPDATE jobs SET state = 'running', worker = ?1, claimed_at = ?2, heartbeat_at = ?2,
                                lease_until = \(db.dialect.serverNow) + ?5, attempts = attempts + 1
                WHERE id IN (SELECT id FROM jobs
                             WHERE state = 'queued' AND checkpoint_id = ?3 AND (not_before IS NULL OR not_before <= ?2)
                             ORDER BY priority DESC, id LIMIT ?4\(db.dialect.skipLocked))
                RETURNING id
                """, [.text(worker), now.sql, .integer(checkpointID), .integer(Int64(limit)), .real(lease)]
            ).compactMap { $0[0].int64 }
        }
        return try ids.sorted().compactMap { try job(id: $0) }
    }

    /// Hands running jobs back to the queue without counting the claim as an attempt: the
    /// worker never started them (it died on an earlier job of its batch, or the daemon is
    /// shutting down). Returns how many were released.
    @discardableResult
    public func releaseJobs(_ ids: [Int64], worker: String, reason: String, at now: Date) throws -> Int {
        try db.transaction {
            var released = 0
            for id in ids {
                released += try db.run(
                    """
                    UPDATE jobs SET state = 'queued', worker = NULL, heartbeat_at = NULL, lease_until = NULL, error = ?1,
                                    attempts = \(db.dialect.greatest("attempts - 1", "0"))
                    WHERE id = ?2 AND state = 'running' AND worker = ?3
                    """, [.text(reason), .integer(id), .text(worker)])
            }
            return released
        }
    }

    /// Fails every queued job of a checkpoint that can no longer be scored (it was quarantined).
    @discardableResult
    public func failQueuedJobs(checkpointID: Int64, reason: String, at now: Date) throws -> Int {
        try db.transaction {
            try db.run(
                "UPDATE jobs SET state = 'failed', error = ?1, finished_at = ?2 WHERE checkpoint_id = ?3 AND state = 'queued'",
                [.text(reason), now.sql, .integer(checkpointID)])
        }
    }

    /// Marks an indexed checkpoint unreadable (its archive failed a full read in a worker). True
    /// for the one caller that changed it: with several daemons, only that one moves the file.
    @discardableResult
    public func quarantineCheckpoint(id: Int64, reason: String, at now: Date) throws -> Bool {
        try db.transaction {
            guard try db.run(
                "UPDATE checkpoints SET status = 'quarantined', error = ?1 WHERE id = ?2 AND status <> 'quarantined'",
                [.text(reason), .integer(id)]) == 1
            else { return false }
            try db.run(
                "UPDATE checkpoint_paths SET present = 0, last_seen_at = ?1 WHERE checkpoint_id = ?2",
                [now.sql, .integer(id)])
            return true
        }
    }

    /// The earliest time a queued job waiting for a retry becomes runnable, if any is waiting.
    public func nextRetryTime(after now: Date) throws -> Date? {
        try db.scalar("SELECT min(not_before) FROM jobs WHERE state = 'queued' AND not_before > ?", [now.sql]).date
    }

    /// Queued jobs in total, runnable now or waiting for a retry.
    public func queuedJobCount() throws -> Int {
        Int(try db.scalar("SELECT count(*) FROM jobs WHERE state = 'queued' AND \(Self.checkpointIsScorable)").int64 ?? 0)
    }

    /// Jobs wait while their checkpoint has no file (status `missing`) or was quarantined.
    static let checkpointIsScorable =
        "EXISTS (SELECT 1 FROM checkpoints AS sc WHERE sc.id = jobs.checkpoint_id AND sc.status = 'ok')"

    /// The job with this id (nil if there is none).
    public func job(withID id: Int64) throws -> Job? { try job(id: id) }

    /// The id of the checkpoint with this content hash, if indexed.
    public func checkpointID(sha256: String) throws -> Int64? {
        try db.scalar("SELECT id FROM checkpoints WHERE sha256 = ?", [.text(sha256)]).int64
    }

    /// Paths recorded as present, for the start-up reconcile (files deleted while down).
    public func presentPaths() throws -> [String] {
        try db.rows("SELECT path FROM checkpoint_paths WHERE present = 1").compactMap { $0[0].string }
    }

    /// The checkpoint whose bytes `path` held when it last had `identity`, if that checkpoint is
    /// readable (`ok`) and the path present: the file is unchanged and need not be read again.
    public func checkpointID(unchangedFileAt path: String, identity: String) throws -> Int64? {
        try db.scalar(
            """
            SELECT p.checkpoint_id FROM checkpoint_paths AS p JOIN checkpoints AS c ON c.id = p.checkpoint_id
            WHERE p.path = ? AND p.present = 1 AND p.file_identity = ? AND c.status = 'ok'
            """, [.text(path), .text(identity)]
        ).int64
    }

    /// Records what the file at `path` looked like when its bytes were hashed (see
    /// `checkpointID(unchangedFileAt:identity:)`).
    public func recordFileIdentity(_ identity: String, path: String) throws {
        try db.run("UPDATE checkpoint_paths SET file_identity = ? WHERE path = ?", [.text(identity), .text(path)])
    }

    /// Status and reason of the checkpoint with these bytes, if indexed.
    public func checkpointStatus(sha256: String) throws -> (id: Int64, status: String, error: String?)? {
        guard let row = try db.row("SELECT id, status, error FROM checkpoints WHERE sha256 = ?", [.text(sha256)]),
            let id = row[0].int64
        else { return nil }
        return (id, row[1].string ?? "", row[2].string)
    }

    /// Records another path for indexed bytes (a copy or a rename); a `missing` checkpoint is
    /// `ok` again. True when the path is new for it.
    @discardableResult
    public func addPath(_ path: String, checkpointID: Int64, at now: Date) throws -> Bool {
        try db.transaction {
            try db.run("UPDATE checkpoints SET status = 'ok' WHERE id = ? AND status = 'missing'", [.integer(checkpointID)])
            return try recordPath(path, checkpointID: checkpointID, now: now)
        }
    }
}
