import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// Every format carries the same data; machine formats read back to the identical doubles;
/// NaN is null (plus a note) in JSON; colour only when asked for.
struct OutputFormatTests {
    static let values: [Double] = [0.1 + 0.2, 1.0 / 3, 1e-300, 6.02214076e23, -2.5, .leastNonzeroMagnitude, 18202.65, .infinity, .nan]

    /// One checkpoint per value, trace = value; checkpoint n+1 has no trace.
    static func fixture() throws -> (TestIndex, TopResult) {
        let t = try TestIndex()
        for (n, v) in values.enumerated() { try t.metric(try t.checkpoint(n), "hessian-trace", "trace", v) }
        try t.checkpoint(values.count, optimizer: "sam, \"quoted\"\tand tabbed")
        return (t, try t.index.top(TopQuery(metric: "trace", limit: 0)))
    }

    @Test func jsonReadsBackToTheSameDoublesWithNaNAsNullAndFlagged() throws {
        let (_, result) = try Self.fixture()
        let text = result.table().render(as: .json).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(object["truncated"] as? Bool == false && object["total"] as? Int == 10)
        // Foundation's JSONSerialization on Linux rounds some doubles by an ulp, so exactness is
        // checked on the number tokens themselves (what Python's json or jq would read).
        let tokens = text.components(separatedBy: "{\"checkpoint\":").dropFirst().map { row in
            row.components(separatedBy: "\"trace\":")[1].prefix { $0 != "," && $0 != "}" }
        }
        #expect(tokens.count == result.rows.count)
        for ((row, expected), token) in zip(zip(rows, result.rows), tokens) {
            switch expected.reading.value {
            case .number(let v) where v.isFinite:
                #expect(Double(String(token))?.bitPattern == v.bitPattern, "\(v) written as \(token)")
                #expect(abs((row["trace"] as? Double ?? .nan) - v) <= abs(v) * 1e-15)
            case .number(let v):
                #expect(row["trace"] is NSNull)
                #expect((row["nonfinite"] as? [String: String])?["trace"] == NumberText.exact(v))
            case .nan:
                #expect(row["trace"] is NSNull)
                #expect((row["nonfinite"] as? [String: String])?["trace"] == "NaN")
            case .missing:
                #expect(row["trace"] is NSNull && row["nonfinite"] == nil)
            }
        }
        #expect(!text.contains(":nan") && !text.contains("\"nan\"") && !text.contains("NaN,") && !text.contains(":inf"))
    }

    @Test func csvAndTSVReadBackToTheSameDoublesAndText() throws {
        let (_, result) = try Self.fixture()
        let table = result.table()
        for (format, separator) in [(OutputFormat.csv, Character(",")), (.tsv, "\t")] {
            let parsed = Delimited.parse(table.render(as: format).stdout, separator: separator, tsv: format == .tsv)
            #expect(parsed.first == table.columns)
            let traceColumn = try #require(table.columns.firstIndex(of: "trace"))
            let optimizerColumn = try #require(table.columns.firstIndex(of: "optimizer"))
            for (line, row) in zip(parsed.dropFirst(), result.rows) {
                switch row.reading.value {
                case .missing: #expect(line[traceColumn] == "")
                case .nan: #expect(line[traceColumn] == "NaN" && Double(line[traceColumn])?.isNaN == true)
                case .number(let v): #expect(Double(line[traceColumn])?.bitPattern == v.bitPattern, "\(line[traceColumn])")
                }
                #expect(line[optimizerColumn] == row.checkpoint.optimizer)
            }
            #expect(parsed.count == result.rows.count + 1)
        }
    }

    @Test func jsonLinesHoldOneObjectPerRowAndTruncationGoesToStderr() throws {
        let (t, _) = try Self.fixture()
        let rendered = try t.index.top(TopQuery(metric: "trace", limit: 4)).table().render(as: .jsonl)
        let lines = rendered.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines { #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any]) }
        #expect(rendered.stderr == "… 6 more (use --limit N, or --limit 0 for all)\n")
        let json = try t.index.top(TopQuery(metric: "trace", limit: 4)).table().render(as: .json)
        #expect(json.stdout.contains("\"count\":4,\"total\":10,\"truncated\":true") && json.stderr.isEmpty)
    }

    @Test func tablesAndMarkdownRoundForPeopleAndShowMissingAsADash() throws {
        let (_, result) = try Self.fixture()
        let table = result.table().render(as: .table).stdout
        #expect(table.contains("0.3 ") || table.contains("0.3\n"))
        #expect(!table.contains("0.30000000000000004"))
        #expect(table.hasPrefix("trace (hessian-trace:trace), largest first"))
        let md = result.table().render(as: .md).stdout.split(separator: "\n")
        #expect(md[0].hasPrefix("| checkpoint | created_at |") && md[1].contains("---:"))
        #expect(md.count == result.rows.count + 2)
    }

    @Test func colourOnlyWhenEnabledAndNOCOLORWinsInAutoMode() throws {
        let (_, result) = try Self.fixture()
        #expect(!result.table().render(as: .table, color: false).stdout.contains("\u{1B}"))
        #expect(result.table().render(as: .table, color: true).stdout.contains("\u{1B}[1m"))
        #expect(ColorMode.auto.isEnabled(stdoutIsTerminal: true, environment: [:]))
        #expect(!ColorMode.auto.isEnabled(stdoutIsTerminal: false, environment: [:]))
        #expect(!ColorMode.auto.isEnabled(stdoutIsTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorMode.auto.isEnabled(stdoutIsTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(ColorMode.always.isEnabled(stdoutIsTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorMode.never.isEnabled(stdoutIsTerminal: true, environment: [:]))
        #expect(OutputFormat.auto.resolved(stdoutIsTerminal: true) == .table)
        #expect(OutputFormat.auto.resolved(stdoutIsTerminal: false) == .tsv)
    }

    @Test func listColumnsAreFixedAndOnlyChangedKeepsWhatVaries() throws {
        let t = try TestIndex()
        for n in 0..<3 {
            let id = try t.checkpoint(n, optimizer: ["adam", "sam", "asam"][n], run: "same-run", minutes: 5)
            try t.metric(id, "accuracy", "test_acc", 0.8)
        }
        let list = try t.index.listCheckpoints(ListQuery(metrics: ["test_acc", "trace"]))
        let columns = list.table().columns
        for _ in 0..<10 { #expect(try t.index.listCheckpoints(ListQuery(metrics: ["test_acc", "trace"])).table().columns == columns) }
        #expect(columns.suffix(3) == ["hp.lr", "test_acc", "trace"])
        #expect(list.table(onlyChanged: true).columns == ["checkpoint", "optimizer", "base_optimizer", "test_acc", "trace"])
    }
}

/// A small RFC 4180 reader (CSV) and TSV reader with `\t \n \\` escapes, for read-back tests.
enum Delimited {
    static func parse(_ text: String, separator: Character, tsv: Bool) -> [[String]] {
        if tsv {
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
                line.split(separator: "\t", omittingEmptySubsequences: false).map { field in
                    var out = "", escaped = false
                    for ch in field {
                        if escaped {
                            out.append(ch == "t" ? "\t" : ch == "n" ? "\n" : ch == "r" ? "\r" : ch)
                            escaped = false
                        } else if ch == "\\" { escaped = true } else { out.append(ch) }
                    }
                    return out
                }
            }
        }
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" { quoted = true }
            else if ch == separator { row.append(field); field = "" }
            else if ch == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else { field.append(ch) }
        }
        return rows
    }
}
