import Foundation

/// One training run on the queue: a distributed study's cell (docs/fleet.md §7).
public struct TrainingJob: Equatable, Sendable {
    /// Row id.
    public var id: Int64
    /// The run id the trainer names its checkpoints with; unique.
    public var runID: String
    /// The study it belongs to.
    public var study: String
    /// What to train, as JSON (its format belongs to the study: Sources/Study/StudyPlan+Spec.swift).
    public var specJSON: String
    /// Where it stands (`JobState`'s states, as for scoring jobs).
    public var state: JobState
    /// How many times it was claimed.
    public var attempts: Int
    /// The worker holding it, or the one that finished it.
    public var worker: String?
    /// The last failure's reason.
    public var error: String?
    /// The final checkpoint, once done.
    public var checkpoint: String?
}

/// The training queue: the same claim, lease and fencing rules as the scoring jobs', one run per
/// claim (a run takes minutes to hours, and resumes from its last checkpoint wherever it is
/// claimed next).
extension IndexStore {
    /// Queues a run, or queues it again if it failed or was done before (its final checkpoint
    /// is gone); a queued or running one is left alone. True when it is queued now.
    @discardableResult
    public func enqueueTraining(runID: String, study: String, specJSON: String, at now: Date) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                INSERT INTO training_jobs (run_id, study, spec, enqueued_at) VALUES (?1, ?2, \(db.dialect.json("?3")), ?4)
                ON CONFLICT (run_id) DO UPDATE SET
                    study = excluded.study, spec = excluded.spec, enqueued_at = excluded.enqueued_at, state = 'queued',
                    attempts = 0, worker = NULL, not_before = NULL, lease_until = NULL, error = NULL, checkpoint = NULL
                WHERE training_jobs.state IN ('failed', 'done')
                """, [.text(runID), .text(study), .text(specJSON), now.sql]) == 1
        }
    }

    /// Takes the oldest runnable queued run for `worker`, leased for `lease` seconds of the
    /// database's clock; nil when none.
    public func claimTraining(worker: String, lease: TimeInterval = JobLease.standard, at now: Date) throws -> TrainingJob? {
        try db.transaction {
            guard
                let id = try db.row(
                    """
                    UPDATE training_jobs SET state = 'running', worker = ?1, claimed_at = ?2, heartbeat_at = ?2,
                                             lease_until = \(db.dialect.serverNow) + ?3, attempts = attempts + 1
                    WHERE id = (SELECT id FROM training_jobs WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?2)
                                ORDER BY id LIMIT 1\(db.dialect.skipLocked))
                    RETURNING id
                    """, [.text(worker), now.sql, .real(lease)])?[0].int64
            else { return nil }
            return try trainingJob(id: id)
        }
    }

    /// Marks a run done with its final checkpoint, only while `worker` holds its lease (the
    /// fencing check of `completeJob`); false otherwise.
    @discardableResult
    public func completeTraining(id: Int64, worker: String, checkpoint: String, at now: Date) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                UPDATE training_jobs SET state = 'done', checkpoint = ?1, finished_at = ?2, lease_until = NULL, error = NULL
                WHERE id = ?3 AND state = 'running' AND worker = ?4 AND lease_until >= \(db.dialect.serverNow)
                """, [.text(checkpoint), now.sql, .integer(id), .text(worker)]) == 1
        }
    }

    /// Records a failed attempt: queued again not before `retryAt`, or failed for good without
    /// one. False if `worker` no longer holds the run.
    @discardableResult
    public func failTraining(id: Int64, worker: String, reason: String, retryAt: Date?, at now: Date) throws -> Bool {
        try failAttempt(in: "training_jobs", id: id, worker: worker, reason: reason, retryAt: retryAt, at: now)
    }

    /// Whether `worker` still holds the run and its lease (checked before a finished run's
    /// checkpoint is moved into place).
    public func holdsTraining(id: Int64, worker: String) throws -> Bool {
        try db.row(
            "SELECT 1 FROM training_jobs WHERE id = ? AND state = 'running' AND worker = ? AND lease_until >= \(db.dialect.serverNow)",
            [.integer(id), .text(worker)]) != nil
    }

    /// Gives a run back to the queue without counting the claim as an attempt (its daemon is
    /// stopping; the run resumes from its last checkpoint wherever it is claimed next).
    @discardableResult
    public func releaseTraining(id: Int64, worker: String, reason: String, at now: Date) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                UPDATE training_jobs SET state = 'queued', worker = NULL, heartbeat_at = NULL, lease_until = NULL, error = ?1,
                                         attempts = \(db.dialect.greatest("attempts - 1", "0"))
                WHERE id = ?2 AND state = 'running' AND worker = ?3
                """, [.text(reason), .integer(id), .text(worker)]) == 1
        }
    }

    /// A study's runs, in queue order (every run when `study` is nil).
    public func trainingJobs(study: String?) throws -> [TrainingJob] {
        try db.rows(
            "SELECT id FROM training_jobs WHERE CAST(?1 AS TEXT) IS NULL OR study = ?1 ORDER BY id", [study.map { .text($0) } ?? .null]
        ).compactMap { try $0[0].int64.flatMap { try trainingJob(id: $0) } }
    }

    /// One run by id.
    public func trainingJob(id: Int64) throws -> TrainingJob? {
        guard
            let r = try db.row(
                "SELECT id, run_id, study, spec, state, attempts, worker, error, checkpoint FROM training_jobs WHERE id = ?",
                [.integer(id)])
        else { return nil }
        return TrainingJob(
            id: r[0].int64 ?? 0, runID: r[1].string ?? "", study: r[2].string ?? "", specJSON: r[3].string ?? "{}",
            state: JobState(rawValue: r[4].string ?? "") ?? .queued, attempts: Int(r[5].int64 ?? 0), worker: r[6].string,
            error: r[7].string, checkpoint: r[8].string)
    }
}
