import Foundation

/// The storage seam under `IndexStore`: one connection to the database that holds a store's
/// index. Everything above it (checkpoints, results, the job queue, every query) is written once,
/// against this protocol; a backend supplies only a connection, its `dialect` and the few
/// maintenance calls below: `SQLiteDatabase` (the embedded default) and `PostgresDatabase`.
///
/// A connection is not thread-safe: each thread or process opens its own. Statements bind their
/// values as positional `?` parameters, in order; a backend whose native syntax differs
/// translates them.
public protocol SQLDatabase: AnyObject {
    /// What the SQL above this seam may assume (the dialect's differences are few and named there).
    var dialect: SQLDialect { get }
    /// Where the index lives, for messages (a file path, or a server address without secrets).
    var location: String { get }
    /// True when this connection never writes.
    var isReadOnly: Bool { get }

    /// Runs a statement that returns no rows (or ignores them); returns the number of changed rows.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue]) throws -> Int

    /// Streams a query's rows to `body` (which may stop early by returning false); returns the
    /// column names. `cached: false` is for one-off SQL such as `sharpq sql`.
    @discardableResult
    func forEachRow(_ sql: String, _ values: [SQLValue], cached: Bool, _ body: ([SQLValue]) throws -> Bool) throws
        -> [String]

    /// Runs fixed SQL text with no parameters, possibly several statements (schema scripts).
    func executeScript(_ sql: String) throws

    /// Runs `body` in one transaction. `.write` takes the write lock up front, so a writer never
    /// fails half-way on a conflict; nested calls join the outer transaction.
    func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T

    /// Runs one statement typed by a user (`sharpq sql`), in the backend's own SQL, after the
    /// backend has proven it cannot write; `named` binds `:name` parameters, never spliced.
    func readOnlyQuery(_ sql: String, named: [String: SQLValue]) throws -> (columns: [String], rows: [[SQLValue]])

    /// The names of the tables that exist (the migrator's first question).
    func tableNames() throws -> Set<String>

    // MARK: Maintenance (cheap; the daemon calls these when idle)

    /// A backend's own consistency check: `ok` when healthy, otherwise its report.
    func integrityCheck() throws -> String
    /// Refreshes the query planner's statistics where the backend thinks it helps.
    func optimize() throws
    /// Folds a write-ahead log back into the main file where the backend keeps one (no-op elsewhere).
    func compactLog() throws
}

/// How a transaction starts.
public enum TransactionKind: Sendable {
    /// Takes the write lock at `BEGIN`.
    case write
    /// Reads a consistent snapshot; upgrades to a writer only if it writes.
    case read
}

/// The differences between backends that the shared SQL has to know about. Kept small: the
/// schema and queries use the common subset (`ON CONFLICT … DO UPDATE`, `RETURNING`,
/// `NULLS LAST`), and only what has no common form is listed here.
public enum SQLDialect: Sendable {
    /// SQLite 3.35 or newer (Debian 12 ships 3.40): JSON through `json_extract`/`json_each`,
    /// single-writer locking, NaN stored as NULL.
    case sqlite
    /// PostgreSQL 12 or newer (Debian 12 ships 15): JSON through `jsonb`, row locks with
    /// `SKIP LOCKED`; `PostgresDatabase` binds NaN as NULL too.
    case postgres

    /// True for a backend several hosts share (a server), false for a file on one host.
    public var isShared: Bool { self == .postgres }

    /// ` INDEXED BY name`: SQLite's planner hint where it needs one; nothing elsewhere.
    public func indexedBy(_ name: String) -> String {
        self == .sqlite ? " INDEXED BY \(name)" : ""
    }

    /// ` FOR UPDATE SKIP LOCKED` after a claim's row choice where rows can be locked one by one
    /// (PostgreSQL); SQLite's write transaction already excludes every other claimer.
    public var skipLocked: String { self == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }

    /// A bound JSON text as stored: SQLite's `json(?)` minifies it; PostgreSQL keeps the text
    /// (the column's check still proves it is JSON), and Sharp writes it compact already.
    public var jsonParameter: String { json("?") }

    /// `jsonParameter` for a numbered placeholder (`?4`).
    public func json(_ placeholder: String) -> String { self == .sqlite ? "json(\(placeholder))" : placeholder }

    /// The text at a fixed top-level `key` of a JSON text column (the queries in `IndexQueries`
    /// bind user-given keys instead, Sources/IndexQueries/SQLDialect+JSON.swift).
    public func jsonText(_ column: String, key: String) -> String {
        precondition(key.allSatisfy { $0.isLetter || $0 == "_" }, "a fixed JSON key")
        return self == .sqlite ? "json_extract(\(column), '$.\(key)')" : "(CAST(\(column) AS jsonb) ->> '\(key)')"
    }

    /// `DESC` with NULLs after every value, as SQLite sorts them (PostgreSQL puts them first).
    public var descending: String { self == .sqlite ? "DESC" : "DESC NULLS LAST" }

    /// Ascending with NULLs before every value, as SQLite sorts them (PostgreSQL puts them last).
    public var ascending: String { self == .sqlite ? "ASC" : "ASC NULLS FIRST" }

    /// `LIKE` as SQLite means it: ASCII letters match either case (PostgreSQL's `ILIKE`).
    public var caseInsensitiveLike: String { self == .sqlite ? "LIKE" : "ILIKE" }

    /// The larger of two values (SQLite's two-argument `max`).
    public func greatest(_ a: String, _ b: String) -> String {
        self == .sqlite ? "max(\(a), \(b))" : "GREATEST(\(a), \(b))"
    }

    /// The database's own clock, in unix seconds, as an expression. Leases are measured on it so
    /// that hosts whose clocks disagree still agree on when a lease has run out. (SQLite's clock
    /// is the host's: SQLite serves one host.)
    public var serverNow: String {
        self == .sqlite
            ? "((julianday('now') - 2440587.5) * 86400.0)"
            : "CAST(extract(epoch FROM clock_timestamp()) AS DOUBLE PRECISION)"
    }

    /// The schema's DDL, written in SQLite's terms, in this dialect's: 64-bit integers, doubles,
    /// identity keys and a JSON check each backend can evaluate.
    public func ddl(_ sql: String) -> String {
        guard self == .postgres else { return sql }
        var text = sql
        let replacements: [(String, String)] = [
            (#"INTEGER PRIMARY KEY"#, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
            (#"\bINTEGER\b"#, "BIGINT"),
            (#"\bREAL\b"#, "DOUBLE PRECISION"),
            (#"json_valid\((\w+)\)"#, "($1::jsonb IS NOT NULL)"),
            (#"\)\s*WITHOUT ROWID"#, ")"),
            // Index order as the queries sort (`descending`), and text in byte order, as SQLite
            // compares it, whatever the server's locale.
            (#"\bDESC\b"#, "DESC NULLS LAST"),
            (#"\bTEXT\b"#, #"TEXT COLLATE "C""#),
        ]
        for (pattern, template) in replacements {
            text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return text
    }
}

extension SQLDatabase {
    /// `run` with no parameters.
    @discardableResult
    public func run(_ sql: String) throws -> Int { try run(sql, []) }

    /// Column names and every row of a query.
    public func table(_ sql: String, _ values: [SQLValue] = []) throws -> (columns: [String], rows: [[SQLValue]]) {
        var rows: [[SQLValue]] = []
        let columns = try forEachRow(sql, values, cached: true) { row in
            rows.append(row)
            return true
        }
        return (columns, rows)
    }

    /// Every row of a query.
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] { try table(sql, values).rows }

    /// The first row of a query, if any.
    public func row(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLValue]? {
        var first: [SQLValue]?
        try forEachRow(sql, values, cached: true) { row in
            first = row
            return false
        }
        return first
    }

    /// The first column of the first row, or `.null`.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue {
        try row(sql, values)?.first ?? .null
    }

    /// A write transaction (the common case).
    public func transaction<T>(_ body: () throws -> T) throws -> T { try transaction(.write, body) }
}
