import CSQLite
import Foundation

/// The SQLite backend of the index seam (`SQLDatabase`): one connection to `<store>/index.sqlite`
/// with a cache of prepared statements. Not thread-safe by design: each thread or process opens
/// its own (SQLite forbids carrying a connection across `fork()`).
public final class SQLiteDatabase: SQLDatabase {
    let handle: OpaquePointer
    /// The database file.
    public let path: String
    public let isReadOnly: Bool
    public var dialect: SQLDialect { .sqlite }
    public var location: String { path }
    private var cache: [String: SQLiteStatement] = [:]
    private var transactionDepth = 0

    /// Opens `path`. `create` makes the file if missing (read-write only).
    init(path: String, readOnly: Bool, create: Bool, busyTimeoutMilliseconds: Int32) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let text = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(db)
            throw IndexError(.sqlite(code: code & 0xff, extended: code), "cannot open \(path): \(text)")
        }
        handle = db
        self.path = path
        isReadOnly = readOnly
        // Set before anything else touches the file, so every later lock wait retries.
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // Memory-mapped reads: a fresh `sharpq` process reads index pages straight from the OS
        // page cache instead of copying them through SQLite's (small, cold) cache; a larger page
        // cache helps the daemon's long-lived connection. Neither changes durability.
        sqlite3_exec(db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384", nil, nil, nil)
    }

    deinit {
        cache.removeAll()  // finalizes every statement before the close
        sqlite3_close_v2(handle)
    }

    /// An `IndexError` for a failed call, with SQLite's message and the statement's text.
    func error(_ code: Int32, context: String) -> IndexError {
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = code & 0xff
        if primary == SQLITE_READONLY || message.contains("query_only") {
            return IndexError(.readOnly, "the index is opened read-only: \(message)")
        }
        let brief = context.split(separator: "\n").first.map(String.init) ?? context
        return IndexError(.sqlite(code: primary, extended: code), "SQLite error \(code): \(message) (in: \(brief))")
    }

    /// The cached prepared statement for `sql`, compiling it on first use.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        if let cached = cache[sql] { return cached }
        let statement = try prepareUncached(sql)
        cache[sql] = statement
        return statement
    }

    /// A statement that is not cached (one-off SQL such as `sharpq sql`).
    func prepareUncached(_ sql: String) throws -> SQLiteStatement {
        // `tail` points into the C string, so it is read inside `withCString`: the temporary copy
        // Swift makes for a plain `String` argument is gone once the call returns.
        var raw: OpaquePointer?
        var rest = ""
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(handle, text, -1, 0, &raw, &tail)
            if let tail, tail.pointee != 0 { rest = String(cString: tail) }
            return code
        }
        guard code == SQLITE_OK, let raw else { throw error(code, context: sql) }
        if !rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            sqlite3_finalize(raw)
            throw IndexError(.invalidQuery, "only one SQL statement at a time: \(sql)")
        }
        return SQLiteStatement(handle: raw, sql: sql, connection: self)
    }

    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    @discardableResult
    public func forEachRow(_ sql: String, _ values: [SQLValue], cached: Bool, _ body: ([SQLValue]) throws -> Bool) throws
        -> [String]
    {
        let statement = try cached ? prepare(sql) : prepareUncached(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {
            if try !body(statement.currentRow()) { break }
        }
        return statement.columnNames
    }

    /// Runs fixed SQL text with no parameters (schema scripts, pragmas).
    public func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? ""
            sqlite3_free(message)
            throw IndexError(.sqlite(code: code & 0xff, extended: code), "SQLite error \(code): \(text)")
        }
    }

    /// `.write` is `BEGIN IMMEDIATE`: it takes the write lock up front, so a writer never fails
    /// half-way with SQLITE_BUSY_SNAPSHOT. A read-only connection always begins deferred.
    public func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try run(kind == .write && !isReadOnly ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", [])
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try run("COMMIT", [])
            return result
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    public func tableNames() throws -> Set<String> {
        Set(try rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].string })
    }

    /// `PRAGMA integrity_check`.
    public func integrityCheck() throws -> String { try scalar("PRAGMA integrity_check").string ?? "" }

    /// `PRAGMA optimize`.
    public func optimize() throws { try executeScript("PRAGMA optimize") }

    /// Writes the WAL back into the database file and truncates it, so the WAL stays small even
    /// under constant querying.
    public func compactLog() throws { try executeScript("PRAGMA wal_checkpoint(TRUNCATE)") }

    /// Runs one statement that SQLite itself proves read-only (`sqlite3_stmt_readonly`), with
    /// named parameters (`:name`, `@name` or `$name`) bound, never spliced.
    public func readOnlyQuery(_ sql: String, named parameters: [String: SQLValue]) throws -> (columns: [String], rows: [[SQLValue]]) {
        let statement = try prepareUncached(sql)
        guard statement.isReadOnly else {
            throw IndexError(.readOnly, "sharpq sql runs read-only statements only (SELECT, WITH, read-only PRAGMA)")
        }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            try statement.bind(value, named: name)
        }
        var rows: [[SQLValue]] = []
        while try statement.step() { rows.append(statement.currentRow()) }
        return (statement.columnNames, rows)
    }
}

// MARK: Opening an index file

extension SQLiteDatabase {
    /// Opens (creating if missing) a connection that writes: WAL lets readers run while the
    /// daemon writes; NORMAL is the recommended WAL durability (a power cut may lose the last
    /// commits, never corrupt; the daemon's start-up reconcile rescores them); foreign keys keep
    /// metric and job rows tied to a checkpoint.
    public static func writer(path: String, create: Bool = true, busyTimeoutMilliseconds: Int32) throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: path, readOnly: false, create: create, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
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
            throw IndexError(.sqlite(code: 1, extended: 1), "\(path): could not enable WAL (journal_mode is '\(mode)')")
        }
        try db.executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        return db
    }

    /// Opens a connection that never writes (`SQLITE_OPEN_READONLY`). `IndexStore` adds
    /// `PRAGMA query_only` once the schema is current (`forbidWrites`).
    public static func reader(path: String, busyTimeoutMilliseconds: Int32) throws -> SQLiteDatabase {
        try SQLiteDatabase(path: path, readOnly: true, create: false, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    /// `PRAGMA query_only`: refuses writes even through statements that SQLite cannot classify.
    func forbidWrites() throws { try executeScript("PRAGMA query_only = 1") }
}
