import Foundation

/// The SQLite implementation of `IndexStore`: `<store>/index.sqlite` in WAL mode.
///
/// One instance is one connection; it is not thread-safe, so each thread or process opens its
/// own (cheap: statements are prepared lazily and cached). Every statement binds its values.
public final class SQLiteIndex: IndexStore {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Create if missing, migrate, write (the daemon, tests).
        case readWrite
        /// Never write (`sharpq`): `SQLITE_OPEN_READONLY` plus `PRAGMA query_only`. A missing
        /// file is an error; an older schema is migrated first through a short read-write open.
        case readOnly
    }

    let db: SQLiteConnection
    /// The database file.
    public let path: String

    /// `<store>/index.sqlite`.
    public static func path(forStore store: String) -> String {
        URL(fileURLWithPath: store).appendingPathComponent("index.sqlite").path
    }

    /// Opens (and for `.readWrite` creates) the index of a store directory.
    public convenience init(store: String, mode: Mode = .readWrite) throws {
        try self.init(path: Self.path(forStore: store), mode: mode)
    }

    /// Opens the index file at `path`. `busyTimeout` is how long a statement waits for another
    /// connection's lock before failing with SQLITE_BUSY.
    public init(path: String, mode: Mode = .readWrite, busyTimeout: TimeInterval = 5, now: Date = Date()) throws {
        self.path = path
        let milliseconds = Int32(busyTimeout * 1000)
        switch mode {
        case .readWrite:
            db = try SQLiteConnection(path: path, readOnly: false, create: true, busyTimeoutMilliseconds: milliseconds)
            try Self.configureWriter(db)
            try Migrator.migrate(db, now: now)
        case .readOnly:
            guard FileManager.default.fileExists(atPath: path) else {
                throw IndexError(
                    .noIndex, "no index at \(path): start `sharpd --store DIR` (or pass --store) so there is one")
            }
            db = try Self.openReader(path: path, milliseconds: milliseconds, now: now)
        }
    }

    /// WAL lets readers run while the daemon writes; NORMAL is the recommended WAL durability
    /// (a power cut may lose the last commits, never corrupt; the daemon's start-up reconcile
    /// rescores them); foreign keys keep metric and job rows tied to a checkpoint.
    private static func configureWriter(_ db: SQLiteConnection) throws {
        var mode = ""
        for attempt in 0..<50 {  // switching to WAL needs an exclusive lock for a moment
            do {
                mode = try db.scalar("PRAGMA journal_mode = WAL").string ?? ""
                break
            } catch let error as IndexError where error.isBusy && attempt < 49 {
                usleep(100_000)
            }
        }
        guard mode.lowercased() == "wal" else {
            throw IndexError(.sqlite(code: 1, extended: 1), "\(db.path): could not enable WAL (journal_mode is '\(mode)')")
        }
        try db.executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
    }

    private static func openReader(path: String, milliseconds: Int32, now: Date) throws -> SQLiteConnection {
        let reader = try SQLiteConnection(path: path, readOnly: true, create: false, busyTimeoutMilliseconds: milliseconds)
        if try Migrator.pending(reader).isEmpty {
            try reader.executeScript("PRAGMA query_only = 1")
            return reader
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw IndexError(
                .newerSchema, "\(path) uses an older schema and is read-only to you; run sharpd on it once to upgrade")
        }
        do {  // upgrade through a short-lived writer, then read as before
            let writer = try SQLiteConnection(path: path, readOnly: false, create: false, busyTimeoutMilliseconds: milliseconds)
            try configureWriter(writer)
            try Migrator.migrate(writer, now: now)
        }
        return try openReader(path: path, milliseconds: milliseconds, now: now)
    }

    /// The names in `schema_migrations`, oldest first.
    public func appliedMigrations() throws -> [String] { try Migrator.applied(db) }

    /// `PRAGMA integrity_check` (`ok` when healthy).
    public func integrityCheck() throws -> String { try db.scalar("PRAGMA integrity_check").string ?? "" }

    /// Refreshes the query planner's statistics where SQLite thinks it helps (`PRAGMA optimize`;
    /// cheap; the daemon calls it when idle or before closing).
    public func optimize() throws { try db.executeScript("PRAGMA optimize") }

    /// Writes the WAL back into the database file and truncates it (the daemon calls this when idle,
    /// so the WAL stays small even under constant querying).
    public func checkpointWAL() throws { try db.executeScript("PRAGMA wal_checkpoint(TRUNCATE)") }
}

extension Date {
    /// Unix seconds, the index's time representation.
    var sql: SQLValue { .real(timeIntervalSince1970) }
}

extension SQLValue {
    /// A `Date` from unix seconds.
    var date: Date? { double.map { Date(timeIntervalSince1970: $0) } }
}
