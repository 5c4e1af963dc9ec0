import CPostgres
import Foundation

/// The PostgreSQL backend of the index seam (`SQLDatabase`), for a store shared by several hosts
/// (docs/index-and-queries.md §5).
///
/// libpq rather than postgres-nio: the index layer is synchronous and runs in forked worker
/// processes, where an event-loop client would need a thread pool that does not survive `fork()`
/// and an async bridge around every call. libpq's blocking calls match `SQLiteDatabase` one for one.
///
/// Values travel as text, and NaN is bound as NULL, as SQLite stores it, so that both backends
/// hold the same rows (`metrics.is_nan` records the NaN). Write transactions take one
/// transaction-scoped advisory lock first, which gives PostgreSQL writers SQLite's
/// one-writer-at-a-time order (`BEGIN IMMEDIATE`); readers never wait for it.
public final class PostgresDatabase: SQLDatabase {
    private var connection: OpaquePointer?
    private let conninfo: String
    public let location: String
    public let isReadOnly: Bool
    public var dialect: SQLDialect { .postgres }
    private var transactionDepth = 0

    /// Advisory locks are per database; an index is a schema (several can share a database), so
    /// the lock is the pair (purpose, hash of the schema's name). The purpose: an arbitrary constant.
    static let writerLock = "pg_advisory_xact_lock(21320, hashtext(current_schema()))"

    /// True for the URLs this backend opens: `postgres://…` and `postgresql://…`.
    public static func handles(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Connects to `url` (libpq's URI form; a password is better given by PGPASSWORD or
    /// ~/.pgpass than in the URL). A failure is one line that names the server and the cause.
    public init(url: String, readOnly: Bool = false) throws {
        conninfo = url
        location = Self.redacted(url)
        isReadOnly = readOnly
        try connect()
    }

    deinit { PQfinish(connection) }

    /// `url` without its password (`user:secret@` and `password=secret` both), for messages.
    static func redacted(_ url: String) -> String {
        url.replacingOccurrences(of: #"(://[^:/@\s]*:)[^@\s]*@"#, with: "$1***@", options: .regularExpression)
            .replacingOccurrences(of: #"(password=)[^&\s]*"#, with: "$1***", options: .regularExpression)
    }

    /// Connection defaults that the URL may override: give up connecting after 10 s, and let TCP
    /// keepalives notice a vanished server or network within about a minute, not hours.
    static let connectionDefaults: [(String, String)] = [
        ("connect_timeout", "10"), ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"),
        ("keepalives_count", "3"),
    ]

    private func connect() throws {
        PQfinish(connection)
        // Later keywords win, and the URL (expanded from `dbname`) comes last.
        let pairs = Self.connectionDefaults + [("dbname", conninfo)]
        let keywords = pairs.map { strdup($0.0) }, values = pairs.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        connection = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            throw IndexError(.postgres(sqlState: "08001"), "cannot connect to \(location): \(Self.oneLine(message))")
        }
        // Quiet NOTICEs (such as "relation already exists, skipping") instead of libpq printing
        // them; a writer waits for the writer lock as long as SQLite's busy timeout, then fails busy.
        try executeScript("SET client_min_messages = warning; SET lock_timeout = '10s'")
        if isReadOnly { try executeScript("SET default_transaction_read_only = on") }
    }

    /// Reconnects when the server dropped the connection, but only between transactions: inside
    /// one, the work so far is gone and the caller must see the error.
    private func ensureConnected() throws {
        if let connection, PQstatus(connection) == CONNECTION_OK { return }
        guard transactionDepth == 0 else {
            throw IndexError(.postgres(sqlState: "08006"), "lost the connection to \(location) inside a transaction")
        }
        try connect()
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
    }

    /// Runs one statement; `?` and `?NNN` become `$n` (unless the SQL is already numbered), values
    /// are sent as text, numbers with their type unless `typed` is false. Outside a transaction, a
    /// statement that fails because the server dropped the connection (a restart, an idle timeout)
    /// reconnects and runs once more; inside one, the caller sees the error.
    private func execute(_ sql: String, _ values: [SQLValue], numbered: Bool = false, typed: Bool = true) throws -> OpaquePointer {
        do {
            return try executeOnce(sql, values, numbered: numbered, typed: typed)
        } catch let error as IndexError where transactionDepth == 0 && !isConnectionOK {
            _ = error
            try connect()
            return try executeOnce(sql, values, numbered: numbered, typed: typed)
        }
    }

    private var isConnectionOK: Bool { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }

    private func executeOnce(_ sql: String, _ values: [SQLValue], numbered: Bool, typed: Bool) throws -> OpaquePointer {
        let text = numbered ? sql : Self.numberedPlaceholders(sql)
        // Numbers say their type (int8, float8), so `? IS NULL`-style contexts need not infer it;
        // text and NULL leave it to the server (0), which takes the column's type.
        let types: [UInt32] = values.map { value in
            guard typed else { return 0 }
            switch value {
            case .integer: return 20
            case .real(let v): return v.isNaN ? 0 : 701
            default: return 0
            }
        }
        let cStrings = values.map { Self.parameterText($0).map { strdup($0) } ?? nil }
        defer { cStrings.forEach { free($0) } }
        let result: OpaquePointer?
        if values.isEmpty {
            result = PQexecParams(connection, text, 0, nil, nil, nil, nil, 0)
        } else {
            let pointers = cStrings.map { $0.map { UnsafePointer($0) } }
            result = pointers.withUnsafeBufferPointer { p in
                types.withUnsafeBufferPointer { oids in
                    PQexecParams(connection, text, Int32(values.count), oids.baseAddress, p.baseAddress, nil, nil, 0)
                }
            }
        }
        guard let result else {
            throw IndexError(.postgres(sqlState: "08006"), "\(location): \(Self.oneLine(String(cString: PQerrorMessage(connection))))")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return result
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "08006"
            let message = Self.oneLine(String(cString: PQresultErrorMessage(result)))
            PQclear(result)
            let brief = sql.split(separator: "\n").first.map(String.init) ?? sql
            if state == "25006" {
                throw IndexError(.readOnly, "the index is opened read-only: \(message)")
            }
            throw IndexError(.postgres(sqlState: state), "PostgreSQL error \(state): \(message) (in: \(brief))")
        }
    }

    /// A bound value as PostgreSQL's text input; nil is NULL (NaN included, as in SQLite).
    static func parameterText(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v):
            if v.isNaN { return nil }
            if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
            return "\(v)"
        case .text(let v): return v
        case .blob(let bytes): return "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// `?` → `$1, $2, …` in order and `?N` → `$N`, outside quoted strings and identifiers.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 8)
        var next = 1
        var quote: Character?
        var characters = sql.makeIterator()
        var pending: Character? = characters.next()
        while let c = pending {
            pending = characters.next()
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"":
                quote = c
                out.append(c)
            case "?":
                var digits = ""
                while let d = pending, d.isASCII, d.isNumber {
                    digits.append(d)
                    pending = characters.next()
                }
                if digits.isEmpty {
                    out += "$\(next)"
                    next += 1
                } else {
                    out += "$" + digits
                }
            default: out.append(c)
            }
        }
        return out
    }

    /// One column of a result row, typed by the column's type (OID).
    private static func value(_ result: OpaquePointer, row: Int32, column: Int32) -> SQLValue {
        if PQgetisnull(result, row, column) == 1 { return .null }
        let text = String(cString: PQgetvalue(result, row, column))
        switch PQftype(result, column) {
        case 20, 21, 23, 26:  // int8, int2, int4, oid
            return Int64(text).map { .integer($0) } ?? .text(text)
        case 700, 701, 1700:  // float4, float8, numeric
            switch text {
            case "NaN": return .real(.nan)
            case "Infinity": return .real(.infinity)
            case "-Infinity": return .real(-.infinity)
            default: return Double(text).map { .real($0) } ?? .text(text)
            }
        case 16: return .integer(text == "t" ? 1 : 0)  // bool
        case 17:  // bytea, as \x hex
            var bytes: [UInt8] = []
            var index = text.index(text.startIndex, offsetBy: min(2, text.count))
            while index < text.endIndex, let end = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
                if let byte = UInt8(text[index..<end], radix: 16) { bytes.append(byte) }
                index = end
            }
            return .blob(bytes)
        default: return .text(text)
        }
    }

    // MARK: SQLDatabase

    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try ensureConnected()
        let result = try execute(sql, values)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The whole result arrives at once (libpq's default); `cached` has no meaning here, since
    /// the server plans each parameterised statement itself.
    @discardableResult
    public func forEachRow(_ sql: String, _ values: [SQLValue], cached: Bool, _ body: ([SQLValue]) throws -> Bool) throws
        -> [String]
    {
        try ensureConnected()
        let result = try execute(sql, values)
        defer { PQclear(result) }
        let fields = PQnfields(result)
        let columns = (0..<fields).map { String(cString: PQfname(result, $0)) }
        for row in 0..<PQntuples(result) {
            if try !body((0..<fields).map { Self.value(result, row: row, column: $0) }) { break }
        }
        return columns
    }

    public func executeScript(_ sql: String) throws {
        try ensureConnected()
        // PQexec runs several statements in one call when there are no parameters.
        guard let result = PQexec(connection, sql) else {
            throw IndexError(.postgres(sqlState: "08006"), "\(location): \(Self.oneLine(String(cString: PQerrorMessage(connection))))")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "08006"
            throw IndexError(.postgres(sqlState: state), "PostgreSQL error \(state): \(Self.oneLine(String(cString: PQresultErrorMessage(result))))")
        }
    }

    public func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try ensureConnected()
        // A read sees one snapshot for all its statements (as SQLite's read transaction does);
        // a write sees each statement's latest commits, behind the writer lock.
        try run(kind == .read ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN", [])
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            if kind == .write && !isReadOnly { try run("SELECT \(Self.writerLock)", []) }
            let result = try body()
            try run("COMMIT", [])
            return result
        } catch {
            if let connection, PQstatus(connection) == CONNECTION_OK { _ = try? run("ROLLBACK", []) }
            throw error
        }
    }

    /// In a `READ ONLY` transaction that is always rolled back; `:name`, `@name` and `$name`
    /// parameters become positional ones.
    public func readOnlyQuery(_ sql: String, named: [String: SQLValue]) throws -> (columns: [String], rows: [[SQLValue]]) {
        var values: [SQLValue] = []
        var positions: [String: Int] = [:]
        var text = ""
        var scanner = Substring(sql)
        while let c = scanner.first {
            scanner = scanner.dropFirst()
            if ":@$".contains(c), let first = scanner.first, first.isLetter || first == "_" {
                let name = String(scanner.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                if let value = named[name] {
                    scanner = scanner.dropFirst(name.count)
                    if positions[name] == nil {
                        values.append(value)
                        positions[name] = values.count
                    }
                    text += "$\(positions[name]!)"
                    continue
                }
            }
            text.append(c)
        }
        try ensureConnected()
        guard transactionDepth == 0 else { throw IndexError(.invalidQuery, "sharpq sql cannot run inside a transaction") }
        try run("BEGIN READ ONLY", [])
        defer { _ = try? run("ROLLBACK", []) }
        // The user's SQL as typed (a `?` there is PostgreSQL's jsonb operator), values untyped so
        // that `-p run 123` compares with a text column as readily as with a number.
        let result = try execute(text, values, numbered: true, typed: false)
        defer { PQclear(result) }
        let fields = PQnfields(result)
        let columns = (0..<fields).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<PQntuples(result)).map { row in (0..<fields).map { Self.value(result, row: row, column: $0) } }
        return (columns, rows)
    }

    public func tableNames() throws -> Set<String> {
        Set(
            try rows("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
                .compactMap { $0[0].string })
    }

    /// The server checks its own pages; a connection that answers is healthy from here.
    public func integrityCheck() throws -> String { try scalar("SELECT 'ok'").string ?? "" }

    /// `ANALYZE`: refreshes the planner's statistics.
    public func optimize() throws { if !isReadOnly { try executeScript("ANALYZE") } }

    /// The server manages its own write-ahead log.
    public func compactLog() throws {}
}
