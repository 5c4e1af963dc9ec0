import Index
import Foundation

extension IndexStore {
    /// `sharpq status` for the store at `store` (this index's directory), as of `now`. Reads in
    /// one transaction, so the counts agree with each other.
    public func storeStatus(store: String, failures: Int = 5, at now: Date = Date()) throws -> StoreStatus {
        let scope = DaemonProbe.Scope(db.dialect)
        let daemon = DaemonProbe.state(store: store, scope: scope)
        return try db.transaction(.read) {
            var checkpoints: [String: Int] = ["ok": 0, "missing": 0, "quarantined": 0]
            for row in try db.rows("SELECT status, count(*) FROM checkpoints GROUP BY status") {
                checkpoints[row[0].string ?? "?"] = Int(row[1].int64 ?? 0)
            }
            var jobs = StoreStatus.JobCounts()
            if let r = try db.row(
                """
                SELECT
                    count(*) FILTER (WHERE j.state = 'queued' AND c.status = 'ok'
                                       AND (j.not_before IS NULL OR j.not_before <= ?1)),
                    count(*) FILTER (WHERE j.state = 'queued' AND c.status = 'ok' AND j.not_before > ?1),
                    count(*) FILTER (WHERE j.state = 'queued' AND c.status IS DISTINCT FROM 'ok'),
                    count(*) FILTER (WHERE j.state = 'running'),
                    count(*) FILTER (WHERE j.state = 'done'),
                    count(*) FILTER (WHERE j.state = 'failed'),
                    min(j.not_before) FILTER (WHERE j.state = 'queued' AND c.status = 'ok' AND j.not_before > ?1)
                FROM jobs AS j LEFT JOIN checkpoints AS c ON c.id = j.checkpoint_id
                """, [now.sql])
            {
                jobs = StoreStatus.JobCounts(
                    runnable: Int(r[0].int64 ?? 0), waitingForRetry: Int(r[1].int64 ?? 0),
                    waitingForFile: Int(r[2].int64 ?? 0), running: Int(r[3].int64 ?? 0), done: Int(r[4].int64 ?? 0),
                    failed: Int(r[5].int64 ?? 0), nextRetryAt: r[6].date)
            }
            let running = try db.rows(
                "SELECT id FROM jobs WHERE state = 'running' ORDER BY claimed_at, id"
            ).compactMap { try $0[0].int64.flatMap { try job(withID: $0) } }
            let failed = failures > 0 ? try self.jobs(state: .failed, limit: failures).jobs : []
            return StoreStatus(
                store: store, checkedAt: now, daemon: daemon, lockScope: scope, daemons: try daemons(),
                checkpoints: checkpoints, jobs: jobs, running: running,
                recentFailures: failed, quarantinedFiles: DaemonProbe.quarantinedFiles(store: store))
        }
    }

    /// Jobs by metric plugin and state (`queued`, `running`, `done`, `failed`; absent pairs are
    /// not listed), for sharpd's /metrics; and checkpoints by status.
    public func queueCounts() throws -> (jobs: [(plugin: String, state: String, count: Int)], checkpoints: [String: Int]) {
        try db.transaction(.read) {
            let jobs = try db.rows("SELECT plugin, state, count(*) FROM jobs GROUP BY plugin, state ORDER BY plugin, state").map {
                (plugin: $0[0].string ?? "", state: $0[1].string ?? "", count: Int($0[2].int64 ?? 0))
            }
            var checkpoints: [String: Int] = ["ok": 0, "missing": 0, "quarantined": 0]
            for row in try db.rows("SELECT status, count(*) FROM checkpoints GROUP BY status") {
                checkpoints[row[0].string ?? "?"] = Int(row[1].int64 ?? 0)
            }
            return (jobs, checkpoints)
        }
    }
}
