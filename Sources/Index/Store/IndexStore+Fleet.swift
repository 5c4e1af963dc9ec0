import Foundation

/// How long a claim lasts without renewal, in seconds of the database's clock. The claiming
/// daemon renews its jobs' leases every third of this while their workers run; if it dies or loses
/// the index for longer, any other daemon on the index puts the jobs back in the queue.
public enum JobLease {
    /// `sharpd --lease`'s default: a dead host's jobs move within a minute; a daemon survives
    /// a server restart or a network blip of well under a minute without losing its jobs.
    public static let standard: TimeInterval = 60
}

/// A daemon registered on the index (`sharpq status` lists them).
public struct DaemonRecord: Equatable, Sendable {
    /// `host:pid-nonce`; its workers' tags start with it and a colon.
    public var id: String
    /// The host it runs on (`sharpd --host`, or the machine's name).
    public var host: String
    /// Its process id on that host.
    public var pid: Int32
    /// The store directory it watches, as that host sees it.
    public var store: String
    /// The Sharp build it runs.
    public var softwareVersion: String?
    /// When it started, and its last renewal.
    public var startedAt: Date
    public var heartbeatAt: Date
    /// False once its lease ran out on the database's clock (it died, hangs or is cut off).
    public var isLive: Bool

    /// A record as listed (`isLive` is the database's answer; a new registration is live).
    public init(id: String, host: String, pid: Int32, store: String, softwareVersion: String?, startedAt: Date,
                heartbeatAt: Date, isLive: Bool) {
        self.id = id
        self.host = host
        self.pid = pid
        self.store = store
        self.softwareVersion = softwareVersion
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.isLive = isLive
    }
}

/// What several daemons on one index share beyond the job queue: their own registrations and
/// leases, the renewal of their jobs' leases, and who reads a new file (docs/fleet.md).
extension IndexStore {
    /// Records (or refreshes) a daemon, leased like a job.
    public func registerDaemon(_ record: DaemonRecord, lease: TimeInterval, at now: Date) throws {
        try db.transaction {
            try db.run(
                """
                INSERT INTO daemons (id, host, pid, store, software_version, started_at, heartbeat_at, lease_until)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \(db.dialect.serverNow) + ?8)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until
                """,
                [
                    .text(record.id), .text(record.host), .integer(Int64(record.pid)), .text(record.store),
                    .textOrNull(record.softwareVersion), record.startedAt.sql, now.sql, .real(lease),
                ])
        }
    }

    /// Every registered daemon, live ones first, then by host and id.
    public func daemons() throws -> [DaemonRecord] {
        try db.rows(
            """
            SELECT id, host, pid, store, software_version, started_at, heartbeat_at,
                   CASE WHEN lease_until >= \(db.dialect.serverNow) THEN 1 ELSE 0 END AS live
            FROM daemons ORDER BY live DESC, host, id
            """
        ).map { r in
            DaemonRecord(
                id: r[0].string ?? "", host: r[1].string ?? "", pid: Int32(r[2].int64 ?? 0), store: r[3].string ?? "",
                softwareVersion: r[4].string, startedAt: r[5].date ?? Date(timeIntervalSince1970: 0),
                heartbeatAt: r[6].date ?? Date(timeIntervalSince1970: 0), isLive: r[7].int64 == 1)
        }
    }

    /// Removes daemons' registrations (a clean stop, or predecessors known to be dead).
    public func unregisterDaemons(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.transaction {
            for id in ids { try db.run("DELETE FROM daemons WHERE id = ?", [.text(id)]) }
        }
    }

    /// One renewal round of a daemon, in one transaction: its own lease, and the leases of the
    /// running jobs each of `workers` holds. Returns how many jobs each worker still holds: a
    /// worker whose count is 0 while its daemon thinks it busy has lost its jobs (they were
    /// requeued while the daemon was cut off), and its results would be refused.
    public func renewLeases(daemon: String, workers: [String], lease: TimeInterval, at now: Date) throws -> [String: Int] {
        try db.transaction {
            try db.run(
                "UPDATE daemons SET heartbeat_at = ?1, lease_until = \(db.dialect.serverNow) + ?2 WHERE id = ?3",
                [now.sql, .real(lease), .text(daemon)])
            var held: [String: Int] = [:]
            for worker in workers {
                for table in Self.leasedTables {
                    held[worker, default: 0] += try db.run(
                        """
                        UPDATE \(table) SET heartbeat_at = ?1, lease_until = \(db.dialect.serverNow) + ?2
                        WHERE state = 'running' AND worker = ?3 AND lease_until >= \(db.dialect.serverNow)
                        """, [now.sql, .real(lease), .text(worker)])
                }
            }
            return held
        }
    }

    /// Takes the right to read and hash the file at `path` for `lease` seconds: true for exactly
    /// one daemon at a time (the holder may take it again); false while another holds it.
    public func claimIntake(path: String, holder: String, lease: TimeInterval) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                INSERT INTO intake_claims (path, holder, lease_until) VALUES (?1, ?2, \(db.dialect.serverNow) + ?3)
                ON CONFLICT (path) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
                WHERE intake_claims.lease_until < \(db.dialect.serverNow) OR intake_claims.holder = excluded.holder
                """, [.text(path), .text(holder), .real(lease)]) == 1
        }
    }

    /// Gives up `holder`'s claim on `path` (the file is indexed, quarantined or gone).
    public func releaseIntake(path: String, holder: String) throws {
        try db.transaction {
            try db.run("DELETE FROM intake_claims WHERE path = ? AND holder = ?", [.text(path), .text(holder)])
        }
    }

    /// Every present path that is indexed, readable, and has a recorded file identity, with that
    /// identity: one query lets a periodic scan skip every file nobody changed.
    public func knownFileIdentities() throws -> [String: String] {
        var known: [String: String] = [:]
        try db.forEachRow(
            """
            SELECT p.path, p.file_identity FROM checkpoint_paths AS p JOIN checkpoints AS c ON c.id = p.checkpoint_id
            WHERE p.present = 1 AND c.status = 'ok' AND p.file_identity IS NOT NULL
            """, [], cached: true
        ) { row in
            if let path = row[0].string, let identity = row[1].string { known[path] = identity }
            return true
        }
        return known
    }
}
