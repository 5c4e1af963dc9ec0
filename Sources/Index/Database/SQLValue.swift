/// One value crossing the database boundary (`SQLDatabase`), as a bound parameter or a column read.
///
/// SQLite has no NaN: binding `.real(.nan)` stores NULL (SQLite's own rule), which is why the
/// `metrics` table carries an `is_nan` flag next to `value` (docs/index-and-queries.md §2).
public enum SQLValue: Equatable, Sendable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// The value as a double when it is numeric.
    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    /// The value as an integer when it is an integer (or an integral real).
    public var int64: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    /// The value as text when it is text.
    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// True for SQL NULL.
    public var isNull: Bool { self == .null }
}

extension SQLValue {
    /// `.null` for nil, otherwise text.
    static func textOrNull(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// `.null` for nil, otherwise real.
    static func realOrNull(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    /// `.null` for nil, otherwise integer.
    static func integerOrNull(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
}
