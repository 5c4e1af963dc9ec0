import Foundation

/// Which failed jobs to queue again (`sharpd retry`): every condition given must hold; with none,
/// every failed job.
public struct RetryFilter: Sendable, Equatable {
    /// The plugin's name: jobs of that metric plugin, or jobs whose key names that optimizer
    /// plugin (`sharpness`: `"optimizers":["NAME@VERSION",…]` in its parameters,
    /// Sources/Scoring/MetricJobKey.swift).
    public var plugin: String?
    /// The plugin's version (with `plugin`).
    public var version: String?
    /// The metric request as typed in the plan (`hessian-spectrum:mode=per-batch`).
    public var request: String?
    /// A checkpoint: the start of its sha256, or one of its paths.
    public var checkpoint: String?
    /// Only jobs of this parameter hash (the daemon retries the keys it plans, not stale ones).
    public var paramsHash: String?
    /// Only jobs whose error begins so (the daemon's "waiting for data: ").
    public var errorPrefix: String?

    /// A filter.
    public init(plugin: String? = nil, version: String? = nil, request: String? = nil, checkpoint: String? = nil,
                paramsHash: String? = nil, errorPrefix: String? = nil) {
        self.plugin = plugin
        self.version = version
        self.request = request
        self.checkpoint = checkpoint
        self.paramsHash = paramsHash
        self.errorPrefix = errorPrefix
    }

    /// Whether a failed job of `plugin` `version` with parameters `params` is selected by the
    /// plugin conditions (the others are SQL).
    func selects(plugin jobPlugin: String, version jobVersion: String, params: String?) -> Bool {
        guard let plugin else { return true }
        if jobPlugin == plugin { return version.map { $0 == jobVersion } ?? true }
        guard let data = params?.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let optimizers = object["optimizers"] as? [String]
        else { return false }
        return optimizers.contains { named in version.map { named == "\(plugin)@\($0)" } ?? named.hasPrefix("\(plugin)@") }
    }
}

/// Giving failed jobs another chance: on request, and when a plugin version's file changed.
extension IndexStore {
    /// Queues again the failed jobs `filter` selects, as new (no attempts, no error). Returns
    /// how many. The plugin conditions are checked on the parameters' JSON here rather than in
    /// SQL, so that they mean the same on SQLite and PostgreSQL.
    @discardableResult
    public func retryFailedJobs(_ filter: RetryFilter, at now: Date) throws -> Int {
        try db.transaction {
            let candidates = try db.rows(
                """
                SELECT id, plugin, plugin_version, params FROM jobs
                WHERE state = 'failed'
                  AND (CAST(?1 AS TEXT) IS NULL OR \(db.dialect.jsonText("params", key: "request")) = ?1)
                  AND (CAST(?2 AS TEXT) IS NULL OR checkpoint_id IN (
                        SELECT c.id FROM checkpoints AS c WHERE substr(c.sha256, 1, length(?2)) = ?2
                        UNION SELECT p.checkpoint_id FROM checkpoint_paths AS p WHERE p.path = ?2))
                  AND (CAST(?3 AS TEXT) IS NULL OR params_hash = ?3)
                  AND (CAST(?4 AS TEXT) IS NULL OR substr(error, 1, length(?4)) = ?4)
                """,
                [filter.request.map { .text($0) } ?? .null, filter.checkpoint.map { .text($0) } ?? .null,
                 filter.paramsHash.map { .text($0) } ?? .null, filter.errorPrefix.map { .text($0) } ?? .null])
            let ids = candidates.filter {
                filter.selects(plugin: $0[1].string ?? "", version: $0[2].string ?? "", params: $0[3].string)
            }.compactMap { $0[0].int64 }
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                try db.run(
                    """
                    UPDATE jobs SET state = 'queued', attempts = 0, error = NULL, worker = NULL, not_before = NULL,
                                    finished_at = NULL, heartbeat_at = NULL, lease_until = NULL, enqueued_at = ?
                    WHERE state = 'failed' AND id IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))
                    """,
                    [now.sql] + chunk.map { .integer($0) })
            }
            return ids.count
        }
    }

    /// The checkpoints with a failed job whose error begins with `errorPrefix`: sha256, the
    /// recorded dataset spec (JSON) and a path where the file is.
    public func checkpointsWithFailedJobs(errorPrefix: String) throws -> [(sha256: String, datasetSpec: String?, path: String?)] {
        try db.rows(
            """
            SELECT c.sha256, c.dataset_spec,
                   (SELECT p.path FROM checkpoint_paths AS p WHERE p.checkpoint_id = c.id AND p.present = 1 ORDER BY p.path LIMIT 1)
            FROM checkpoints AS c
            WHERE c.id IN (SELECT j.checkpoint_id FROM jobs AS j WHERE j.state = 'failed' AND substr(j.error, 1, length(?1)) = ?1)
            ORDER BY c.sha256
            """, [.text(errorPrefix)]
        ).map { (sha256: $0[0].string ?? "", datasetSpec: $0[1].string, path: $0[2].string) }
    }

    /// Records the sha256 of a plugin version's file; true when a different one was recorded
    /// before (the file was replaced under the same version).
    @discardableResult
    public func recordPluginFile(plugin: String, version: String, sha256: String, at now: Date) throws -> Bool {
        try db.transaction {
            let previous = try db.scalar(
                "SELECT sha256 FROM plugin_files WHERE plugin = ? AND plugin_version = ?", [.text(plugin), .text(version)]
            ).string
            try db.run(
                """
                INSERT INTO plugin_files (plugin, plugin_version, sha256, seen_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (plugin, plugin_version) DO UPDATE SET sha256 = excluded.sha256, seen_at = excluded.seen_at
                """, [.text(plugin), .text(version), .text(sha256), now.sql])
            return previous != nil && previous != sha256
        }
    }
}
