import Foundation

/// Where a store's index lives: `<store>/index.sqlite`, the embedded default, or a PostgreSQL
/// server that several hosts share (`--index postgres://…`, or SHARP_INDEX_URL).
public enum IndexLocation: Equatable, Sendable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL server, as a libpq URL.
    case postgres(url: String)

    /// The environment variable that names the index when no `--index` is given.
    public static let environmentVariable = "SHARP_INDEX_URL"

    /// `index` (an `--index` value), else SHARP_INDEX_URL, else `<store>/index.sqlite`. A value is
    /// a `postgres://` or `postgresql://` URL, or the path of an SQLite file.
    public static func resolve(
        index: String?, store: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> IndexLocation {
        guard let value = index ?? environment[environmentVariable].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return .sqlite(path: IndexStore.path(forStore: store))
        }
        if PostgresDatabase.handles(value) { return .postgres(url: value) }
        if let scheme = value.range(of: "://").map({ value[..<$0.lowerBound] }) {
            throw IndexError(
                .invalidQuery,
                "index '\(PostgresDatabase.redacted(value))': unknown scheme '\(scheme)'; give postgres://USER@HOST/DB or the path of an index.sqlite")
        }
        return .sqlite(path: value)
    }

    /// The location for messages, without a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return PostgresDatabase.redacted(url)
        }
    }

    /// False only for an SQLite file that was never created (a server is asked when opened).
    public var mayHoldIndex: Bool {
        if case .sqlite(let path) = self { return FileManager.default.fileExists(atPath: path) }
        return true
    }

    /// The SQL dialect of the backend at this location.
    public var dialect: SQLDialect {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// The value to hand to a child process in SHARP_INDEX_URL so it opens the same index.
    public var environmentValue: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url
        }
    }
}

extension IndexStore {
    /// Opens the index at `location` (for `.readWrite`, creating and migrating it).
    public convenience init(_ location: IndexLocation, mode: Mode = .readWrite) throws {
        switch location {
        case .sqlite(let path): try self.init(path: path, mode: mode)
        case .postgres(let url):
            try self.init(database: try PostgresDatabase(url: url, readOnly: mode == .readOnly), mode: mode)
        }
    }
}
