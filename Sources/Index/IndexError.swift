/// Every failure the index reports. `message` is a complete sentence for a person; `kind` lets a
/// caller choose an exit code (usage errors are the user's input, the rest are failures).
public struct IndexError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, coarsely.
    public enum Kind: Equatable, Sendable {
        /// SQLite returned an error code (primary code in `code`, extended in `extended`).
        case sqlite(code: Int32, extended: Int32)
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

    /// True for SQLITE_BUSY / SQLITE_LOCKED (worth retrying).
    public var isBusy: Bool {
        if case .sqlite(let code, _) = kind { return code == 5 || code == 6 }
        return false
    }

    /// True when retrying later can succeed: busy or locked, disk full (SQLITE_FULL), I/O error,
    /// out of memory, can't open (a directory briefly unavailable).
    public var isTransient: Bool {
        if case .sqlite(let code, _) = kind { return [5, 6, 7, 10, 13, 14].contains(code) }
        return false
    }
}
