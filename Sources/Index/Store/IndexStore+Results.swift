import Foundation

extension IndexStore {
    /// Upserts every metric and series row in one transaction. Re-recording the same (checkpoint, plugin,
    /// version, params, name) replaces the value in place; a new version adds a row and becomes current.
    public func recordResults(_ results: ScoringResults, at now: Date) throws {
        try db.transaction {
            for metric in results.metrics { try record(metric, now: now) }
            for series in results.series { try record(series, now: now) }
        }
    }

    /// Whether any result of `key` is recorded for the checkpoint.
    public func hasResults(checkpointID: Int64, key: PluginKey) throws -> Bool {
        try db.row(
            """
            SELECT 1 FROM metrics AS m\(db.dialect.indexedBy("metrics_by_checkpoint"))
            WHERE m.checkpoint_id = ? AND m.plugin = ? AND m.plugin_version = ? AND m.params_hash = ? LIMIT 1
            """, [.integer(checkpointID), .text(key.plugin), .text(key.version), .text(key.paramsHash)]) != nil
    }

    private func record(_ m: MetricRecord, now: Date) throws {
        let rank = m.key.versionRank
        let id =
            try db.scalar(
                """
                INSERT INTO metrics (checkpoint_id, plugin, plugin_version, plugin_version_rank, params_hash, params,
                                     name, value, is_nan, stderr, hvp_count, seconds, recorded_at)
                VALUES (?, ?, ?, ?, ?, \(db.dialect.jsonParameter), ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (checkpoint_id, plugin, name, plugin_version, params_hash) DO UPDATE SET
                    params = excluded.params, value = excluded.value, is_nan = excluded.is_nan,
                    stderr = excluded.stderr, hvp_count = excluded.hvp_count, seconds = excluded.seconds,
                    recorded_at = excluded.recorded_at
                RETURNING id
                """,
                [
                    .integer(m.checkpointID), .text(m.key.plugin), .text(m.key.version), .integer(rank),
                    .text(m.key.paramsHash), .textOrNull(m.key.paramsJSON), .text(m.name), .real(m.value),
                    .integer(m.value.isNaN ? 1 : 0), .realOrNull(m.standardError), .integerOrNull(m.hvpCount),
                    .realOrNull(m.seconds), now.sql,
                ]
            ).int64 ?? 0
        try db.run(
            """
            INSERT INTO metric_names (plugin, plugin_version, name, first_recorded_at, short_name) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """,
            [.text(m.key.plugin), .text(m.key.version), .text(m.name), now.sql, .textOrNull(m.shortName)])
        // A short name changed under the same version (a rebuilt plugin): written only when it
        // differs, so that concurrent writers do not lock this shared row on every result.
        try db.run(
            """
            UPDATE metric_names SET short_name = ?1
            WHERE plugin = ?2 AND plugin_version = ?3 AND name = ?4 AND COALESCE(short_name, '') <> COALESCE(CAST(?1 AS TEXT), '')
            """,
            [.textOrNull(m.shortName), .text(m.key.plugin), .text(m.key.version), .text(m.name)])
        try makeCurrentIfNewest(id: id, rank: rank, metric: m)
    }

    /// Keeps exactly one `is_current` row per (checkpoint, plugin, name): the highest version
    /// rank, and among equal ranks the row just written.
    private func makeCurrentIfNewest(id: Int64, rank: Int64, metric m: MetricRecord) throws {
        let current = try db.row(
            """
            SELECT m.id, m.plugin_version_rank FROM metrics AS m\(db.dialect.indexedBy("metrics_current"))
            WHERE m.checkpoint_id = ? AND m.plugin = ? AND m.name = ? AND m.is_current = 1
            """, [.integer(m.checkpointID), .text(m.key.plugin), .text(m.name)])
        guard let current else {
            try db.run("UPDATE metrics SET is_current = 1 WHERE id = ?", [.integer(id)])
            return
        }
        let currentID = current[0].int64 ?? 0
        if currentID == id || rank < (current[1].int64 ?? 0) { return }
        try db.run("UPDATE metrics SET is_current = CASE WHEN id = ?1 THEN 1 ELSE 0 END WHERE id IN (?1, ?2)", [.integer(id), .integer(currentID)])
    }

    private func record(_ s: SeriesRecord, now: Date) throws {
        try db.run(
            """
            INSERT INTO series (checkpoint_id, plugin, plugin_version, params_hash, name, data, recorded_at)
            VALUES (?, ?, ?, ?, ?, \(db.dialect.jsonParameter), ?)
            ON CONFLICT (checkpoint_id, plugin, name, plugin_version, params_hash) DO UPDATE SET
                data = excluded.data, recorded_at = excluded.recorded_at
            """,
            [
                .integer(s.checkpointID), .text(s.key.plugin), .text(s.key.version), .text(s.key.paramsHash),
                .text(s.name), .text(s.dataJSON), now.sql,
            ])
    }
}
