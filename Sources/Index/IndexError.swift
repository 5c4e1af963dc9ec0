/// Every failure the index reports. `message` is a complete sentence for a person; `kind` lets a
/// caller choose an exit code (usage errors are the user's input, the rest are failures).
public struct IndexError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, coarsely.
    public enum Kind: Equatable, Sendable {
        /// SQLite returned an error code (primary code in `code`, extended in `extended`).
        case sqlite(code: Int32, extended: Int32)
        /// PostgreSQL refused a statement (`sqlState` is its five-character SQLSTATE), or the
        /// connection failed (SQLSTATE class `08`).
        case postgres(sqlState: String)
        /// The index was written by a newer Sharp: it has migrations this code does not know.
        case newerSchema
        /// No index file exists where one was expected (read-only open).
        case noIndex
        /// A metric, column or key name that does not exist; `suggestions` are the closest valid names.
        case unknownName(suggestions: [String])
        /// A `--where` clause or other query argument that cannot be understood.
        case invalidQuery
        /// A checkpoint prefix that matches nothing.
        case notFound
        /// A checkpoint prefix that matches several checkpoints (`candidates`).
        case ambiguous(candidates: [String])
        /// A statement that would write, given to a read-only query.
        case readOnly
    }

    /// What went wrong, coarsely.
    public var kind: Kind
    /// A sentence for a person.
    public var message: String

    /// Makes an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// True when the user's input caused it (argument-parser's validation exit code, 64, fits).
    public var isUsageError: Bool {
        switch kind {
        case .unknownName, .invalidQuery, .ambiguous, .readOnly: return true
        default: return false
        }
    }

    /// True for SQLITE_BUSY / SQLITE_LOCKED, or PostgreSQL's serialization failure, deadlock and
    /// lock-not-available (worth retrying).
    public var isBusy: Bool {
        switch kind {
        case .sqlite(let code, _): return code == 5 || code == 6
        case .postgres(let state): return ["40001", "40P01", "55P03"].contains(state)
        default: return false
        }
    }

    /// True when retrying later can succeed: busy or locked, disk full (SQLITE_FULL), I/O error,
    /// out of memory, can't open (a directory briefly unavailable).
    /// For PostgreSQL: busy as above, a lost or refused connection (class `08`), a server
    /// shutting down or starting (`57P01`–`57P03`), disk full and too many connections (`53…`).
    public var isTransient: Bool {
        switch kind {
        case .sqlite(let code, _): return [5, 6, 7, 10, 13, 14].contains(code)
        case .postgres(let state):
            return isBusy || state.hasPrefix("08") || state.hasPrefix("53") || ["57P01", "57P02", "57P03"].contains(state)
        default: return false
        }
    }
}
