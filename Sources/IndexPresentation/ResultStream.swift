import JSON
import Index
import IndexQueries
import Foundation

/// Writes a `ResultTable` in pieces, for results too large to hold (`sharpq export` of a
/// million metric rows). Machine formats are written as rows arrive and read exactly as
/// `ResultTable.render` would have written them in one go; `table` and `md` need every row to
/// size their columns, so they are buffered and rendered at the end.
public final class ResultStream {
    private var table: ResultTable
    private let format: OutputFormat
    private let color: Bool
    private let write: (String) -> Void
    private var count = 0
    private var started = false

    /// A stream of rows with these columns, written through `write` in `format` (resolved, not `auto`).
    public init(columns: [String], format: OutputFormat, color: Bool = false, meta: [(String, JSONValue)] = [],
                write: @escaping (String) -> Void) {
        table = ResultTable(columns: columns, rows: [], meta: meta)
        self.format = format
        self.color = color
        self.write = write
    }

    /// Writes (or, for tables, keeps) more rows.
    public func append(_ rows: [[ResultCell]]) {
        begin()
        var out = ""
        switch format {
        case .csv, .tsv:
            for row in rows { out += delimited(row.map(ResultTable.exactText)) }
        case .jsonl:
            for row in rows { out += table.rowObject(row).text + "\n" }
        case .json:
            for (i, row) in rows.enumerated() { out += (count + i == 0 ? "" : ",") + table.rowObject(row).text }
        case .table, .md, .auto:
            table.rows += rows
        }
        count += rows.count
        write(out)
    }

    /// Ends the output (the JSON object's counts; the buffered table).
    public func finish() {
        begin()
        switch format {
        case .json:
            let tail: [(String, JSONValue)] = [
                ("count", .integer(Int64(count))), ("total", .integer(Int64(count))), ("truncated", .bool(false)),
            ]
            write("]," + String(JSONValue.orderedObject(tail).text.dropFirst()) + "\n")
        case .table, .md, .auto:
            write(table.render(as: format == .auto ? .table : format, color: color).stdout)
        default:
            break
        }
    }

    private func begin() {
        guard !started else { return }
        started = true
        switch format {
        case .csv, .tsv: write(delimited(table.columns))
        case .json:
            let head = JSONValue.orderedObject(table.meta + [("columns", .array(table.columns.map { .string($0) }))]).text
            write(String(head.dropLast()) + ",\"rows\":[")
        default: break
        }
    }

    private func delimited(_ fields: [String]) -> String {
        format == .csv
            ? fields.map(ResultTable.csvField).joined(separator: ",") + "\n"
            : fields.map(ResultTable.tsvField).joined(separator: "\t") + "\n"
    }
}
