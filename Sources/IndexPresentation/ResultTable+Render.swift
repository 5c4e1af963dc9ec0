import JSON
import Index
import IndexQueries
import Foundation

extension ResultTable {
    /// Renders in `format` (`auto` must be resolved first; it renders as a table).
    public func render(as format: OutputFormat, color: Bool = false) -> RenderedOutput {
        let note = isTruncated && format != .json ? "… \((total ?? 0) - rows.count) more (use --limit N, or --limit 0 for all)\n" : ""
        switch format {
        case .json: return RenderedOutput(stdout: jsonDocument().text + "\n", stderr: "")
        case .jsonl: return RenderedOutput(stdout: rows.map { rowObject($0).text + "\n" }.joined(), stderr: note)
        case .csv: return RenderedOutput(stdout: delimited(separator: ",", escape: Self.csvField), stderr: note)
        case .tsv: return RenderedOutput(stdout: delimited(separator: "\t", escape: Self.tsvField), stderr: note)
        case .md: return RenderedOutput(stdout: markdown(), stderr: note)
        case .table, .auto: return RenderedOutput(stdout: aligned(color: color), stderr: note)
        }
    }

    // MARK: Machine formats (exact numbers)

    /// `{ ...meta, "columns": [...], "rows": [{...}], "count": n, "total": N, "truncated": bool }`.
    public func jsonDocument() -> JSONValue {
        .orderedObject(
            meta + [
                ("columns", .array(columns.map { .string($0) })),
                ("rows", .array(rows.map(rowObject))),
                ("count", .integer(Int64(rows.count))),
                ("total", .integer(Int64(total ?? rows.count))),
                ("truncated", .bool(isTruncated)),
            ])
    }

    /// A row as an object; NaN/±inf cells become null and are named under `nonfinite`.
    func rowObject(_ row: [ResultCell]) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        var nonfinite: [(String, JSONValue)] = []
        for (name, cell) in zip(columns, row) {
            pairs.append((name, Self.json(cell)))
            if let v = Self.exactNumber(cell), !v.isFinite { nonfinite.append((name, .string(NumberText.exact(v)))) }
        }
        if !nonfinite.isEmpty { pairs.append(("nonfinite", .orderedObject(nonfinite))) }
        return .orderedObject(pairs)
    }

    static func json(_ cell: ResultCell) -> JSONValue {
        switch cell {
        case .null: return .null
        case .text(let v): return .string(v)
        case .integer(let v): return .integer(v)
        case .number(let v): return .number(v)
        case .display(let text, let exact): return exact.map { .number($0) } ?? .string(text)
        }
    }

    static func exactNumber(_ cell: ResultCell) -> Double? {
        switch cell {
        case .number(let v): return v
        case .display(_, let exact): return exact
        default: return nil
        }
    }

    public static func exactText(_ cell: ResultCell) -> String {
        switch cell {
        case .null: return ""
        case .text(let v): return v
        case .integer(let v): return String(v)
        case .number(let v): return NumberText.exact(v)
        case .display(let text, let exact): return exact.map(NumberText.exact) ?? text
        }
    }

    private func delimited(separator: String, escape: (String) -> String) -> String {
        var out = columns.map(escape).joined(separator: separator) + "\n"
        for row in rows { out += row.map { escape(Self.exactText($0)) }.joined(separator: separator) + "\n" }
        return out
    }

    // Both work on bytes and scalars, not Characters: much faster on the million cells of an
    // export, and "\r\n" (one Character) is still seen.
    /// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = "\""
        for scalar in s.unicodeScalars {
            if scalar == "\"" { out += "\"" }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    static func tsvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: Human formats (rounded)

    public static func humanText(_ cell: ResultCell) -> String {
        switch cell {
        case .null: return "-"
        case .number(let v): return NumberText.rounded(v)
        case .display(let text, _): return text
        case .text, .integer: return exactText(cell)  // the same in every format
        }
    }

    private func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
                .joined(separator: " | ") + " |\n"
        }
        var out = line(columns)
        out += "|" + columns.indices.map { isNumericColumn($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += line(row.map(Self.humanText)) }
        return out
    }

    private func isNumericColumn(_ i: Int) -> Bool {
        var sawNumber = false
        for row in rows {
            switch row[i] {
            case .null: continue
            case .integer, .number, .display: sawNumber = true
            case .text: return false
            }
        }
        return sawNumber
    }

    private func aligned(color: Bool) -> String {
        let texts = rows.map { $0.map(Self.humanText) }
        let widths = columns.indices.map { i in texts.reduce(columns[i].count) { max($0, $1[i].count) } }
        let numeric = columns.indices.map(isNumericColumn)
        func pad(_ s: String, _ i: Int) -> String {
            let fill = String(repeating: " ", count: widths[i] - s.count)
            return numeric[i] ? fill + s : s + fill
        }
        let bold = color ? "\u{1B}[1m" : "", dim = color ? "\u{1B}[2m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = title.map { (color ? bold + $0 + reset : $0) + "\n" } ?? ""
        let header = columns.indices.map { pad(columns[$0], $0) }.joined(separator: "  ")
            .replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        out += bold + header + reset + "\n"
        for (r, row) in texts.enumerated() {
            let cells = row.indices.map { i -> String in
                let text = pad(row[i], i)
                let faint = rows[r][i] == .null || Self.exactNumber(rows[r][i])?.isNaN == true
                return faint && color ? dim + text + reset : text
            }
            out += cells.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression) + "\n"
        }
        if rows.isEmpty { out += "(no rows)\n" }
        return out
    }
}
