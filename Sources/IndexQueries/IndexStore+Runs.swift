import Index
import Foundation

extension IndexStore {
    /// `sharpq runs`: checkpoints grouped by `run_id`, each run described by its last checkpoint
    /// (highest step, then newest, then hash — the one `compare` uses), newest run first. Filters
    /// select checkpoints as in `list`; a run appears when any of its checkpoints match, and counts
    /// only those. Checkpoints without a run id (unreadable files) are not runs.
    public func runs(_ query: RunsQuery) throws -> RunsResult {
        let metrics = try query.metrics.map(resolveMetric)
        let condition = try condition(for: query.filters)
        // Per-run aggregates in one grouped pass; `count(*) OVER ()` is the number of runs before
        // the LIMIT. Then one indexed lookup (`checkpoints_by_run`) per run shown for its last
        // checkpoint, instead of sorting every checkpoint with all its columns.
        let groups = try db.rows(
            """
            WITH runs AS (
                SELECT c.run_id, count(*) AS checkpoint_count, max(c.epoch) AS last_epoch,
                       max(c.created_at) AS last_created_at
                FROM checkpoints AS c WHERE c.run_id IS NOT NULL AND \(condition.sql) GROUP BY c.run_id
            )
            SELECT run_id, checkpoint_count, last_epoch, last_created_at, count(*) OVER () FROM runs
            ORDER BY last_created_at \(db.dialect.descending), run_id \(db.dialect.ascending) LIMIT ? OFFSET ?
            """, condition.params + [.integer(query.limit > 0 ? Int64(query.limit) : Int64.max), .integer(Int64(max(0, query.offset)))])
        let runs = try groups.compactMap { g -> RunSummary? in
            guard
                let r = try db.row(
                    """
                    SELECT \(Self.summaryColumns), c.stop_reason FROM checkpoints AS c
                    WHERE c.run_id = ? AND \(condition.sql) ORDER BY c.step \(db.dialect.descending), c.created_at \(db.dialect.descending), c.sha256 LIMIT 1
                    """, [g[0]] + condition.params)
            else { return nil }
            let last = Self.summary(r)
            return RunSummary(
                runID: g[0].string ?? "", last: last, stopReason: r[Self.summaryColumnCount].string, checkpoints: Int(g[1].int64 ?? 0),
                lastEpoch: g[2].int64.map { Int($0) }, lastCreatedAt: g[3].date,
                readings: try metrics.map { try currentReading($0, checkpointID: last.id) })
        }
        let total = try groups.first.map { Int($0[4].int64 ?? 0) }
            ?? Int(try db.scalar(
                "SELECT count(DISTINCT c.run_id) FROM checkpoints AS c WHERE c.run_id IS NOT NULL AND \(condition.sql)",
                condition.params
            ).int64 ?? 0)
        return RunsResult(metrics: metrics, runs: runs, total: total)
    }
}
