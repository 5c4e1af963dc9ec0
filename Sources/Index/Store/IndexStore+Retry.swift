import Foundation

/// Which failed jobs to queue again (`sharpd retry`): every condition given must hold; with none,
/// every failed job.
public struct RetryFilter: Sendable, Equatable {
    /// The plugin's name: jobs of that metric plugin, or jobs whose key names that optimizer
    /// plugin (`sharpness`, Sources/Scoring/MetricJobKey.swift).
    public var plugin: String?
    /// The plugin's version (with `plugin`).
    public var version: String?
    /// The metric request as typed in the plan (`hessian-spectrum:mode=per-batch`).
    public var request: String?
    /// A checkpoint: the start of its sha256, or one of its paths.
    public var checkpoint: String?

    /// A filter.
    public init(plugin: String? = nil, version: String? = nil, request: String? = nil, checkpoint: String? = nil) {
        self.plugin = plugin
        self.version = version
        self.request = request
        self.checkpoint = checkpoint
    }
}

/// Giving failed jobs another chance: on request, and when a plugin version's file changed.
extension IndexStore {
    /// Queues again the failed jobs `filter` selects, as new (no attempts, no error). Returns
    /// how many.
    @discardableResult
    public func retryFailedJobs(_ filter: RetryFilter, at now: Date) throws -> Int {
        try db.transaction {
            try db.run(
                """
                UPDATE jobs SET state = 'queued', attempts = 0, error = NULL, worker = NULL, not_before = NULL,
                                finished_at = NULL, heartbeat_at = NULL, lease_until = NULL, enqueued_at = ?5
                WHERE state = 'failed'
                  AND (CAST(?1 AS TEXT) IS NULL
                       OR (plugin = ?1 AND (CAST(?2 AS TEXT) IS NULL OR plugin_version = ?2))
                       OR params LIKE '%"' || CAST(?1 AS TEXT) || '@' || COALESCE(CAST(?2 AS TEXT) || '"', '') || '%')
                  AND (CAST(?3 AS TEXT) IS NULL OR \(db.dialect.jsonText("params", key: "request")) = ?3)
                  AND (CAST(?4 AS TEXT) IS NULL OR checkpoint_id IN (
                        SELECT c.id FROM checkpoints AS c WHERE substr(c.sha256, 1, length(?4)) = ?4
                        UNION SELECT p.checkpoint_id FROM checkpoint_paths AS p WHERE p.path = ?4))
                """,
                [
                    filter.plugin.map { .text($0) } ?? .null, filter.version.map { .text($0) } ?? .null,
                    filter.request.map { .text($0) } ?? .null, filter.checkpoint.map { .text($0) } ?? .null, now.sql,
                ])
        }
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
