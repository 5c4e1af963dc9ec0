import CSQLite
import Foundation

/// One SQLite connection with a cache of prepared statements. Not thread-safe by design: each
/// thread or process opens its own (SQLite forbids carrying a connection across `fork()`).
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String
    let isReadOnly: Bool
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

    /// Runs a statement that returns no rows (or ignores them); returns the number of changed rows.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Every row of a query.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var result: [[SQLValue]] = []
        while try statement.step() { result.append(statement.currentRow()) }
        return result
    }

    /// Column names and every row of a query.
    func table(_ sql: String, _ values: [SQLValue] = []) throws -> (columns: [String], rows: [[SQLValue]]) {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var result: [[SQLValue]] = []
        while try statement.step() { result.append(statement.currentRow()) }
        return (statement.columnNames, result)
    }

    /// The first row of a query, if any.
    func row(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLValue]? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        return try statement.step() ? statement.currentRow() : nil
    }

    /// The first column of the first row, or `.null`.
    func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue {
        try row(sql, values)?.first ?? .null
    }

    /// Runs fixed SQL text with no parameters (schema scripts, pragmas).
    func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? ""
            sqlite3_free(message)
            throw IndexError(.sqlite(code: code & 0xff, extended: code), "SQLite error \(code): \(text)")
        }
    }

    /// Runs `body` in a transaction; `BEGIN IMMEDIATE` takes the write lock up front, so a writer
    /// never fails half-way with SQLITE_BUSY_SNAPSHOT. Nested calls join the outer transaction.
    func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try run(immediate && !isReadOnly ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// rowid of the last INSERT on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}
