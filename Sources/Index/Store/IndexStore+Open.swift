import Foundation

/// A store's index: its checkpoints, their results and the job queue (this module), and the
/// queries over them (`IndexQueries`). Every operation is written once, against the `SQLDatabase`
/// seam: SQLite (`<store>/index.sqlite`, WAL mode) by default, or PostgreSQL (`IndexLocation`).
///
/// One instance is one connection; it is not thread-safe, so each thread or process opens its
/// own (cheap: statements are prepared lazily and cached). Every statement binds its values.
public final class IndexStore {
    /// How to open the index.
    public enum Mode: Sendable {
        /// Create if missing, migrate, write (the daemon, tests).
        case readWrite
        /// Never write (`sharpq`): a read-only connection that also refuses writes. A missing
        /// index is an error; an older schema is migrated first through a short read-write open.
        case readOnly
    }

    /// The connection every operation goes through.
    package let db: any SQLDatabase

    /// Where the index lives (the file path for SQLite), for messages.
    public var location: String { db.location }

    /// `<store>/index.sqlite`, the embedded default.
    public static func path(forStore store: String) -> String {
        URL(fileURLWithPath: store).appendingPathComponent("index.sqlite").path
    }

    /// Opens (and for `.readWrite` creates) the SQLite index of a store directory.
    public convenience init(store: String, mode: Mode = .readWrite) throws {
        try self.init(path: Self.path(forStore: store), mode: mode)
    }

    /// Opens the SQLite index file at `path`. `busyTimeout` is how long a statement waits for
    /// another connection's lock before failing with SQLITE_BUSY.
    public convenience init(path: String, mode: Mode = .readWrite, busyTimeout: TimeInterval = 5, now: Date = Date()) throws {
        let milliseconds = Int32(busyTimeout * 1000)
        switch mode {
        case .readWrite:
            try self.init(database: try SQLiteDatabase.writer(path: path, busyTimeoutMilliseconds: milliseconds), mode: mode, now: now)
        case .readOnly:
            guard FileManager.default.fileExists(atPath: path) else {
                throw IndexError(
                    .noIndex, "no index at \(path): start `sharpd --store DIR` so there is one, or name the store with --store or SHARP_STORE")
            }
            let reader = try SQLiteDatabase.reader(path: path, busyTimeoutMilliseconds: milliseconds)
            if try !Migrator.pending(reader).isEmpty {
                guard FileManager.default.isWritableFile(atPath: path) else {
                    throw IndexError(
                        .newerSchema, "\(path) uses an older schema and is read-only to you; run sharpd on it once to upgrade")
                }
                // Upgrade through a short-lived writer; the reader then sees the new schema.
                try Migrator.migrate(try SQLiteDatabase.writer(path: path, create: false, busyTimeoutMilliseconds: milliseconds), now: now)
            }
            try reader.forbidWrites()
            try self.init(database: reader, mode: mode, now: now)
        }
    }

    /// Wraps an open connection: a writer is migrated to the current schema; a reader must
    /// already be current (it cannot migrate).
    public init(database: any SQLDatabase, mode: Mode, now: Date = Date()) throws {
        db = database
        switch mode {
        case .readWrite: try Migrator.migrate(database, now: now)
        case .readOnly:
            if let first = try Migrator.pending(database).first {
                throw IndexError(.newerSchema, "\(database.location) lacks migration \(first.name); run sharpd on it once to upgrade")
            }
        }
    }

    /// The names in `schema_migrations`, oldest first.
    public func appliedMigrations() throws -> [String] { try Migrator.applied(db) }

    /// The backend's consistency check (`ok` when healthy).
    public func integrityCheck() throws -> String { try db.integrityCheck() }

    /// Refreshes the query planner's statistics where the backend thinks it helps (after a bulk
    /// load such as `sharp-index-bench`'s).
    public func optimize() throws { try db.optimize() }

    /// Folds the write-ahead log back into the database (the daemon calls this when idle, so the
    /// WAL stays small even under constant querying).
    public func compactLog() throws { try db.compactLog() }
}

extension Date {
    /// Unix seconds, the index's time representation.
    package var sql: SQLValue { .real(timeIntervalSince1970) }
}

extension SQLValue {
    /// A `Date` from unix seconds.
    package var date: Date? { double.map { Date(timeIntervalSince1970: $0) } }
}
