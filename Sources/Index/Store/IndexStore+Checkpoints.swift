import Foundation

extension IndexStore {
    /// Inserts a checkpoint by content hash, or finds it; records `path` as one of its paths. A copied or
    /// renamed file therefore adds a path, never a row. The manifest fields of an existing row are left as
    /// they are: equal bytes mean an equal manifest.
    @discardableResult
    public func upsertCheckpoint(_ record: CheckpointRecord, path: String, at now: Date) throws -> CheckpointUpsert {
        try db.transaction {
            let id: Int64
            let isNew: Bool
            if let existing = try db.row("SELECT id FROM checkpoints WHERE sha256 = ?", [.text(record.sha256)]) {
                id = existing[0].int64 ?? 0
                isNew = false
                try db.run("UPDATE checkpoints SET status = 'ok' WHERE id = ? AND status = 'missing'", [.integer(id)])
            } else {
                id = try db.scalar(Self.insertCheckpoint(db.dialect), Self.values(of: record, path: path, now: now)).int64 ?? 0
                isNew = true
            }
            let isNewPath = try recordPath(path, checkpointID: id, now: now)
            return CheckpointUpsert(id: id, isNew: isNew, isNewPath: isNewPath)
        }
    }

    /// Records a file that cannot be read as a checkpoint (status `quarantined`, with the reason).
    @discardableResult
    public func recordUnreadableFile(sha256: String, path: String, sizeBytes: Int, reason: String, at now: Date)
        throws -> Int64
    {
        try db.transaction {
            let id = try db.scalar(
                """
                INSERT INTO checkpoints (sha256, path, size_bytes, status, error, indexed_at)
                VALUES (?, ?, ?, 'quarantined', ?, ?)
                ON CONFLICT (sha256) DO UPDATE SET error = excluded.error
                RETURNING id
                """,
                [.text(sha256), .text(path), .integer(Int64(sizeBytes)), .text(reason), now.sql]
            ).int64 ?? 0
            _ = try recordPath(path, checkpointID: id, now: now)
            return id
        }
    }

    /// Marks `path` as gone; a checkpoint with no present path becomes `missing` (metrics kept).
    public func markPathMissing(_ path: String, at now: Date) throws {
        try db.transaction {
            guard
                let id = try db.scalar(
                    "UPDATE checkpoint_paths SET present = 0, last_seen_at = ?, file_identity = NULL WHERE path = ? RETURNING checkpoint_id",
                    [now.sql, .text(path)]
                ).int64
            else { return }
            try db.run(
                """
                UPDATE checkpoints SET status = 'missing'
                WHERE id = ?1 AND status = 'ok'
                  AND NOT EXISTS (SELECT 1 FROM checkpoint_paths WHERE checkpoint_id = ?1 AND present = 1)
                """, [.integer(id)])
        }
    }

    /// Adds or refreshes `path` for a checkpoint; true when the path is new for it. A path that
    /// held other bytes before (a file overwritten in place) now points at this checkpoint.
    func recordPath(_ path: String, checkpointID: Int64, now: Date) throws -> Bool {
        let previous = try db.scalar("SELECT checkpoint_id FROM checkpoint_paths WHERE path = ?", [.text(path)]).int64
        try db.run(
            """
            INSERT INTO checkpoint_paths (path, checkpoint_id, first_seen_at, last_seen_at, present)
            VALUES (?1, ?2, ?3, ?3, 1)
            ON CONFLICT (path) DO UPDATE SET
                first_seen_at = CASE WHEN checkpoint_paths.checkpoint_id = excluded.checkpoint_id
                                     THEN checkpoint_paths.first_seen_at ELSE excluded.first_seen_at END,
                file_identity = CASE WHEN checkpoint_paths.checkpoint_id = excluded.checkpoint_id
                                     THEN checkpoint_paths.file_identity END,
                checkpoint_id = excluded.checkpoint_id, last_seen_at = excluded.last_seen_at, present = 1
            """, [.text(path), .integer(checkpointID), now.sql])
        return previous != checkpointID
    }

    static func insertCheckpoint(_ dialect: SQLDialect) -> String {
        let json = dialect.jsonParameter
        return """
            INSERT INTO checkpoints (
                sha256, path, size_bytes, status, indexed_at, run_id, created_at, software_version, model,
                model_config, optimizer, optimizer_version, base_optimizer, hyperparameters, dataset,
                dataset_fingerprint, dataset_spec, split_seed, train_count, test_count, seed, epoch, step,
                training_loss, training_accuracy, elapsed_seconds, stop_reason, provenance)
            VALUES (?, ?, ?, 'ok', ?, ?, ?, ?, ?, \(json), ?, ?, ?, \(json), ?, ?, \(json), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """
    }

    static func values(of r: CheckpointRecord, path: String, now: Date) -> [SQLValue] {
        [
            .text(r.sha256), .text(path), .integer(Int64(r.sizeBytes)), now.sql, .text(r.runID), r.createdAt.sql,
            .text(r.softwareVersion), .text(r.model), .text(r.modelConfigJSON), .text(r.optimizer),
            .text(r.optimizerVersion), .textOrNull(r.baseOptimizer), .text(r.hyperparametersJSON), .text(r.dataset),
            .text(r.datasetFingerprint), .text(r.datasetSpecJSON), .integer(Int64(bitPattern: r.splitSeed)),
            .integer(Int64(r.trainCount)), .integer(Int64(r.testCount)), .integer(Int64(bitPattern: r.seed)),
            .integer(Int64(r.epoch)), .integer(Int64(r.step)), .real(r.trainingLoss), .real(r.trainingAccuracy),
            .real(r.elapsedSeconds), .text(r.stopReason), .text(r.provenance),
        ]
    }
}
