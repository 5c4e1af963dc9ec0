import JSON
import Index
import Foundation

/// One cell of a result table.
public enum ResultCell: Equatable, Sendable {
    /// No value (missing): empty in CSV/TSV, null in JSON, `-` in tables.
    case null
    /// Text.
    case text(String)
    /// An integer.
    case integer(Int64)
    /// A double, NaN and ±infinity included (null plus a `nonfinite` note in JSON).
    case number(Double)
    /// Pre-rounded text for people (table/md) with the exact number machines get.
    case display(String, exact: Double?)

    /// A SQLite value as a cell.
    public init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .integer(let v): self = .integer(v)
        case .real(let v): self = .number(v)
        case .text(let v): self = .text(v)
        case .blob(let v): self = .text("<\(v.count) bytes>")
        }
    }

    /// A 64-bit unsigned seed: an integer when it fits, else its decimal text.
    public static func seed(_ value: UInt64?) -> ResultCell {
        guard let value else { return .null }
        return value <= UInt64(Int64.max) ? .integer(Int64(value)) : .text(String(value))
    }

    /// A time as ISO 8601 UTC text.
    public static func time(_ date: Date?) -> ResultCell { date.map { .text(ISOTime.format($0)) } ?? .null }
    /// Text or null.
    public static func text(_ value: String?) -> ResultCell { value.map { .text($0) } ?? .null }
    /// Number or null.
    public static func number(_ value: Double?) -> ResultCell { value.map { .number($0) } ?? .null }
    /// Integer or null.
    public static func integer(_ value: Int?) -> ResultCell { value.map { .integer(Int64($0)) } ?? .null }
    /// A metric value: number, NaN, or null when missing.
    public static func metric(_ value: MetricValue) -> ResultCell { value.double.map { .number($0) } ?? .null }
}

/// What every data command prints: named columns in a fixed order and rows of cells, plus how
/// many rows existed before the limit, so truncation is always visible.
public struct ResultTable: Equatable, Sendable {
    /// Column names, in output order.
    public var columns: [String]
    /// Rows, each with one cell per column.
    public var rows: [[ResultCell]]
    /// Rows matching before `--limit`; nil when nothing was cut.
    public var total: Int?
    /// A heading printed above tables (not in machine formats).
    public var title: String?
    /// Extra top-level keys for the JSON object (`metric`, `order`, ...).
    public var meta: [(String, JSONValue)]

    /// Makes a table.
    public init(columns: [String], rows: [[ResultCell]], total: Int? = nil, title: String? = nil, meta: [(String, JSONValue)] = []) {
        self.columns = columns
        self.rows = rows
        self.total = total
        self.title = title
        self.meta = meta
    }

    public static func == (a: ResultTable, b: ResultTable) -> Bool {
        a.columns == b.columns && a.rows == b.rows && a.total == b.total && a.title == b.title
            && JSONValue.orderedObject(a.meta) == JSONValue.orderedObject(b.meta)
    }

    /// True when rows were left out.
    public var isTruncated: Bool { (total ?? rows.count) > rows.count }

    /// Drops columns whose cells are all equal (DVC's `--only-changed`), except those in `keep`.
    public func onlyChanged(keeping keep: Set<String>) -> ResultTable {
        let kept = columns.indices.filter { i in
            keep.contains(columns[i]) || rows.contains { $0[i] != rows.first?[i] }
        }
        var copy = self
        copy.columns = kept.map { columns[$0] }
        copy.rows = rows.map { row in kept.map { row[$0] } }
        return copy
    }
}
