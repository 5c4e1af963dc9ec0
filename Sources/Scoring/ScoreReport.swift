import Foundation
import JSON

/// The outcomes of `sharp score` on one or more checkpoints, printed as a table, JSON or CSV.
public struct ScoreReport: Sendable, Codable {
    /// One checkpoint's results.
    public struct Entry: Sendable, Codable {
        /// The checkpoint's path.
        public let checkpoint: String
        /// Run id, model and optimizer from the manifest.
        public let runID: String, model: String, optimizer: String
        /// Data the Hessian metrics used: split, samples, batch size, mode, element type, seed.
        public let evaluation: [String: String]
        /// Each metric's outcome, in the order run.
        public var metrics: [MetricOutcome]

        /// An entry.
        public init(checkpoint: String, runID: String, model: String, optimizer: String, evaluation: [String: String], metrics: [MetricOutcome]) {
            self.checkpoint = checkpoint
            self.runID = runID
            self.model = model
            self.optimizer = optimizer
            self.evaluation = evaluation
            self.metrics = metrics
        }
    }

    /// Checkpoints in the order scored.
    public var entries: [Entry]

    /// A report.
    public init(entries: [Entry]) { self.entries = entries }

    /// One row per scalar output: checkpoint, metric, output, value, stderr, HVPs, seconds. The
    /// metric is the request as typed (`hessian-spectrum:mode=per-batch,samples=all`), so two
    /// configurations of one plugin stay apart.
    public var rows: [[String]] { rows(shortNames: false) }

    /// `rows`, with each output under the short name its plugin declares when `shortNames` (the table).
    func rows(shortNames: Bool) -> [[String]] {
        entries.flatMap { e in
            e.metrics.flatMap { m in
                m.scalars.map { s in
                    [e.checkpoint, m.request, shortNames ? m.shortNames[s.name] ?? s.name : s.name, Self.number(s.value),
                     s.standardError.map(Self.number) ?? "",
                     String(s.hvpCount), String(format: "%.2f", s.seconds)]
                }
            }
        }
    }

    static let header = ["checkpoint", "metric", "output", "value", "stderr", "hvp_count", "seconds"]

    /// An aligned text table (outputs under their declared short names), then each metric's time,
    /// HVP and pass counts, and its notes.
    public func table() -> String {
        let all = [Self.header] + rows(shortNames: true).map { row in [(row[0] as NSString).lastPathComponent] + row.dropFirst() }
        let widths = (0..<Self.header.count).map { c in all.map { $0[c].count }.max() ?? 0 }
        var lines = all.map { row in
            zip(row, widths).enumerated().map { i, cell in
                i >= 3 ? String(repeating: " ", count: cell.1 - cell.0.count) + cell.0 : cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        lines.append("")
        for e in entries {
            lines.append("\((e.checkpoint as NSString).lastPathComponent): \(e.model), \(e.optimizer); "
                + e.evaluation.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            for m in e.metrics {
                let c = m.counters
                lines.append(String(format: "  %-18@ %8.1fs  %5d HVPs (%d batch products, %d from cached graphs)  %d gradient passes  %d forward passes",
                                    m.request as NSString, m.seconds, c.hessianVectorProducts, c.batchProducts, c.cacheHits,
                                    c.gradientPasses, c.forwardPasses))
                for note in m.notes { lines.append("    note: \(note)") }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// CSV with a header line (RFC 4180 quoting).
    public func csv() -> String {
        ([Self.header] + rows).map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The full report (series included) as JSON; non-finite numbers become strings.
    public func json() throws -> String {
        let writer = JSONWriter(pretty: true, nonFinite: .strings(nan: "nan", infinity: "inf", negativeInfinity: "-inf"))
        return writer.text(try JSONValueEncoder().encode(self))
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-4) ? String(format: "%.6e", x) : String(format: "%.6g", x)
    }

    static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
