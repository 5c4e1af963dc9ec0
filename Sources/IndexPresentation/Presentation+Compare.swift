import Index
import IndexQueries
import Statistics
import Foundation

extension Comparison {
    /// One row per (row, column, metric) with every number exact — what JSON, CSV and TSV carry.
    public func longTable(rowKey: String, colKey: String?) -> ResultTable {
        let head = [rowKey] + (colKey.map { [$0] } ?? [])
        let columns = head + [
            "metric", "n", "mean", "sd", "ci95", "ci95_low", "ci95_high", "min", "max", "excluded", "baseline",
            "paired_n", "mean_diff", "mean_diff_ci95", "t", "df", "p",
        ]
        let rows = cells.map { c -> [ResultCell] in
            let s = c.summary, p = c.paired
            let keys: [ResultCell] = [.text(c.row)] + (colKey == nil ? [] : [.text(c.col)])
            let low = s.flatMap { s in s.halfWidth95.map { s.mean - $0 } }
            let high = s.flatMap { s in s.halfWidth95.map { s.mean + $0 } }
            return keys + [
                .text(c.metric), .integer(s?.count ?? 0), .number(s?.mean), .number(s?.standardDeviation),
                .number(s?.halfWidth95), .number(low), .number(high), .number(s?.minimum), .number(s?.maximum),
                .integer(c.excluded), .text(p == nil ? nil : baseline), .integer(p?.pairs), .number(p?.meanDifference),
                .number(p?.halfWidth95), .number(p?.t), .integer(p?.degreesOfFreedom), .number(p?.p),
            ]
        }
        return ResultTable(
            columns: columns, rows: rows,
            meta: [("baseline", baseline.map { .string($0) } ?? .null), ("interval", .string("95% Student t, n-1 df"))])
    }

    /// The paper's layout for people (table, Markdown): one row per row value; per column value
    /// and metric a `mean ± CI (n=k)` cell, then a `Δ vs baseline` cell with the paired test.
    public func pivotTable(rowKey: String) -> ResultTable {
        var columns = [rowKey]
        var groups: [(String?, String)] = []
        for col in cols {
            for metric in metrics {
                groups.append((col, metric))
                columns.append(col.map { "\($0) \(metric)" } ?? metric)
            }
        }
        if let baseline {
            columns += groups.map { col, metric in (col.map { "\($0) " } ?? "") + "Δ\(metric) vs \(baseline)" }
        }
        let rows = self.rows.map { row -> [ResultCell] in
            var cells: [ResultCell] = [.text(row)]
            for (col, metric) in groups {
                guard let s = cell(row: row, col: col, metric: metric)?.summary else {
                    cells.append(.null)
                    continue
                }
                cells.append(.display("\(NumberText.withInterval(s.mean, s.halfWidth95)) (n=\(s.count))", exact: s.mean))
            }
            if baseline != nil {
                for (col, metric) in groups {
                    guard let p = cell(row: row, col: col, metric: metric)?.paired else {
                        cells.append(row == baseline ? .text("baseline") : .null)
                        continue
                    }
                    let sign = p.meanDifference > 0 ? "+" : ""
                    let test = p.p.map { String(format: ", p=%.3g", $0) } ?? ""
                    cells.append(
                        .display(
                            "\(sign)\(NumberText.withInterval(p.meanDifference, p.halfWidth95))\(test) (n=\(p.pairs))",
                            exact: p.meanDifference))
                }
            }
            return cells
        }
        let title = "mean ± 95% CI over runs (Student t)" + (baseline.map { "; Δ: paired t-test vs \($0) over shared seeds" } ?? "")
        return ResultTable(columns: columns, rows: rows, title: title)
    }
}
