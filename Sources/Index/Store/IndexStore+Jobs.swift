import Foundation

extension IndexStore {
    /// Queues a job for each checkpoint (one, or all when `checkpointID` is nil) × plugin key that has
    /// neither a job nor results yet. Returns how many were queued.
    @discardableResult
    public func enqueueJobs(checkpointID: Int64?, plugins: [PluginKey], priority: Int, at now: Date) throws -> Int {
        let queued = try db.transaction {
            var queued = 0
            for key in plugins {
                // `WHERE` before `ON CONFLICT` keeps SQLite from reading ON as a join constraint.
                queued += try db.run(
                    """
                    INSERT INTO jobs (checkpoint_id, plugin, plugin_version, params_hash, params, priority,
                                      sort_key, enqueued_at)
                    SELECT c.id, ?1, ?2, ?3, \(db.dialect.json("?4")), ?5, coalesce(c.created_at, c.indexed_at), ?6
                    FROM checkpoints AS c
                    WHERE c.status = 'ok' AND (c.id = ?7 OR ?7 IS NULL)
                      AND NOT EXISTS (
                          SELECT 1 FROM metrics AS m\(db.dialect.indexedBy("metrics_by_checkpoint"))
                          WHERE m.checkpoint_id = c.id AND m.plugin = ?1 AND m.plugin_version = ?2
                            AND m.params_hash = ?3)
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        .text(key.plugin), .text(key.version), .text(key.paramsHash), .textOrNull(key.paramsJSON),
                        .integer(Int64(priority)), now.sql, checkpointID.map { .integer($0) } ?? .null,
                    ])
            }
            return queued
        }
        // A backfill can multiply the queue at once; PostgreSQL's planner, still believing the
        // table small, would then sort the whole queue on every claim (12 ms instead of 0.1 at
        // 3,000 jobs, tools/bench-fleet) until autovacuum's next ANALYZE, up to a minute later.
        // (SQLite plans claims by its index without statistics.)
        if queued >= 1000, db.dialect == .postgres { try db.run("ANALYZE jobs") }
        return queued
    }

    /// Atomically takes the next runnable queued job (highest priority, newest checkpoint) and marks it
    /// running for `worker`, leased for `lease` seconds of the database's clock; nil when none. Two
    /// callers never get the same job: one write transaction around one `UPDATE … RETURNING`, so the
    /// choice and the claim cannot be split by another writer (on PostgreSQL the choice also skips
    /// rows another claimer has locked).
    public func claimNextJob(worker: String, lease: TimeInterval = JobLease.standard, at now: Date) throws -> Job? {
        try db.transaction {
            guard
                let row = try db.row(
                    """
                    UPDATE jobs SET state = 'running', worker = ?1, claimed_at = ?2, heartbeat_at = ?2,
                                    lease_until = \(db.dialect.serverNow) + ?3, attempts = attempts + 1
                    WHERE id = (SELECT id FROM jobs
                                WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?2)
                                  AND \(Self.checkpointIsScorable)
                                ORDER BY priority \(db.dialect.descending), sort_key \(db.dialect.descending), id
                                LIMIT 1\(db.dialect.skipLocked))
                    RETURNING id
                    """, [.text(worker), now.sql, .real(lease)]),
                let id = row[0].int64
            else { return nil }
            return try job(id: id)
        }
    }

    /// Records the results and marks the job done, in one transaction, only while `worker` still holds
    /// the job's lease (the fencing check): false, and nothing recorded, if the lease ran out or the
    /// job was requeued and claimed again meanwhile. A daemon cut off from the index for longer than
    /// its lease therefore cannot add a late or duplicate result when it comes back.
    @discardableResult
    public func completeJob(id: Int64, worker: String, results: ScoringResults, at now: Date) throws -> Bool {
        try db.transaction {
            let changed = try db.run(
                """
                UPDATE jobs SET state = 'done', finished_at = ?1, heartbeat_at = ?1, lease_until = NULL, error = NULL
                WHERE id = ?2 AND state = 'running' AND worker = ?3 AND lease_until >= \(db.dialect.serverNow)
                """, [now.sql, .integer(id), .text(worker)])
            guard changed == 1 else { return false }
            try recordResults(results, at: now)
            return true
        }
    }

    /// Records a failed attempt. With `retryAt` the job is queued again (not before that time), otherwise it
    /// is `failed` for good. False, and nothing changed, if `worker` no longer holds it or its lease ran
    /// out: such a job is `requeueAbandonedJobs`'s, so a daemon that was cut off cannot fail for good a
    /// job whose result was only refused for a lapsed lease.
    @discardableResult
    public func failJob(id: Int64, worker: String, reason: String, retryAt: Date?, at now: Date) throws -> Bool {
        try failAttempt(in: "jobs", id: id, worker: worker, reason: reason, retryAt: retryAt, at: now)
    }

    /// `failJob` in one of the `leasedTables`.
    func failAttempt(in table: String, id: Int64, worker: String, reason: String, retryAt: Date?, at now: Date) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                UPDATE \(table) SET not_before = ?1,
                                state = CASE WHEN CAST(?1 AS DOUBLE PRECISION) IS NULL THEN 'failed' ELSE 'queued' END,
                                error = ?2, finished_at = ?3, lease_until = NULL,
                                worker = CASE WHEN CAST(?1 AS DOUBLE PRECISION) IS NULL THEN worker ELSE NULL END
                WHERE id = ?4 AND state = 'running' AND worker = ?5 AND lease_until >= \(db.dialect.serverNow)
                """, [retryAt?.sql ?? .null, .text(reason), now.sql, .integer(id), .text(worker)]) == 1
        }
    }

    /// Crash recovery: running jobs whose lease has run out on the database's clock (their daemon
    /// died, hung, or lost the index for longer than the lease), or whose worker tag starts with one
    /// of `deadDaemons` (known dead: a daemon's own predecessor on its host), go back to `queued`,
    /// or to `failed` once they have been claimed `maxAttempts` times (a plugin that kills its
    /// worker every time). Training jobs (a distributed study's cells) are treated alike. Returns
    /// the count.
    @discardableResult
    public func requeueAbandonedJobs(deadDaemons: [String] = [], maxAttempts: Int, at now: Date) throws -> Int {
        try db.transaction {
            var count = 0
            for table in Self.leasedTables {
                count += try requeueAbandoned(in: table, deadDaemons: deadDaemons, maxAttempts: maxAttempts, at: now)
            }
            return count
        }
    }

    /// The tables whose running rows are leased: scoring jobs and training jobs.
    static let leasedTables = ["jobs", "training_jobs"]

    private func requeueAbandoned(in table: String, deadDaemons: [String], maxAttempts: Int, at now: Date) throws -> Int {
        // A training run's attempts count its crashes (it is retried a few times): a run whose
        // host died gets the claim back, as a stopped one does.
        let giveBack = table == "training_jobs" ? ", attempts = \(db.dialect.greatest("attempts - 1", "0"))" : ""
        let requeue = """
            UPDATE \(table) SET
                state = CASE WHEN attempts >= ?1 THEN 'failed' ELSE 'queued' END,
                error = CASE WHEN attempts >= ?1
                    THEN 'worker ' || worker || ' stopped without reporting, ' || attempts || ' times (plugin crash?)'
                    ELSE 'requeued: worker ' || worker || ' stopped without reporting (its daemon died or lost the index)' END,
                finished_at = CASE WHEN attempts >= ?1 THEN ?2 ELSE finished_at END,
                worker = NULL, heartbeat_at = NULL, lease_until = NULL\(giveBack)
            WHERE state = 'running'
            """
        var count = try db.run(
            requeue + " AND (lease_until IS NULL OR lease_until < \(db.dialect.serverNow))",
            [.integer(Int64(maxAttempts)), now.sql])
        for daemon in deadDaemons {
            count += try db.run(
                requeue + " AND substr(worker, 1, length(?3)) = ?3",
                [.integer(Int64(maxAttempts)), now.sql, .text(daemon + ":")])
        }
        return count
    }

    /// Job counts per plugin version and state.
    public func jobSummaries() throws -> [JobSummary] {
        var byKey: [String: JobSummary] = [:]
        var order: [String] = []
        for row in try db.rows(
            "SELECT plugin, plugin_version, state, count(*) FROM jobs GROUP BY plugin, plugin_version, state ORDER BY plugin, plugin_version")
        {
            let plugin = row[0].string ?? "", version = row[1].string ?? ""
            let key = plugin + "\u{0}" + version
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = JobSummary(plugin: plugin, version: version, counts: [:])
            }
            if let state = JobState(rawValue: row[2].string ?? "") { byKey[key]?.counts[state] = Int(row[3].int64 ?? 0) }
        }
        return order.compactMap { byKey[$0] }
    }

    /// Jobs in one state, most recent activity first.
    public func jobs(state: JobState, limit: Int) throws -> (jobs: [Job], total: Int) {
        let total = Int(try db.scalar("SELECT count(*) FROM jobs WHERE state = ?", [.text(state.rawValue)]).int64 ?? 0)
        let ids = try db.rows(
            """
            SELECT id FROM jobs WHERE state = ?
            ORDER BY coalesce(finished_at, heartbeat_at, claimed_at, enqueued_at) DESC, id DESC LIMIT ?
            """, [.text(state.rawValue), .integer(limit > 0 ? Int64(limit) : Int64.max)])
        return (try ids.compactMap { try $0[0].int64.flatMap { try job(id: $0) } }, total)
    }

    /// One job with its checkpoint's hash and current path.
    func job(id: Int64) throws -> Job? {
        guard
            let r = try db.row(
                """
                SELECT j.id, j.checkpoint_id, c.sha256,
                       coalesce((SELECT p.path FROM checkpoint_paths AS p WHERE p.checkpoint_id = c.id AND p.present = 1
                                 ORDER BY p.last_seen_at DESC, p.path LIMIT 1), c.path),
                       j.plugin, j.plugin_version, j.params_hash, j.params, j.state, j.priority, j.attempts,
                       j.worker, j.error, j.enqueued_at, j.claimed_at, j.heartbeat_at, j.finished_at
                FROM jobs AS j JOIN checkpoints AS c ON c.id = j.checkpoint_id WHERE j.id = ?
                """, [.integer(id)])
        else { return nil }
        return Job(
            id: r[0].int64 ?? 0, checkpointID: r[1].int64 ?? 0, checkpointSHA256: r[2].string ?? "",
            path: r[3].string ?? "",
            key: PluginKey(plugin: r[4].string ?? "", version: r[5].string ?? "", paramsHash: r[6].string ?? "",
                           paramsJSON: r[7].string),
            state: JobState(rawValue: r[8].string ?? "") ?? .queued, priority: Int(r[9].int64 ?? 0),
            attempts: Int(r[10].int64 ?? 0), worker: r[11].string, error: r[12].string,
            enqueuedAt: r[13].date ?? Date(timeIntervalSince1970: 0), claimedAt: r[14].date,
            heartbeatAt: r[15].date, finishedAt: r[16].date)
    }
}
