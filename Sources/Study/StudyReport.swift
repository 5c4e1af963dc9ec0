import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import Training

/// Writes a study's report folder: `report.md` (Tables 1–5 shaped like the paper's, with mean ±
/// 95% CI over seeds and paired t-tests against the baseline), `results.csv` (one row per run),
/// `summary.csv` (one row per optimizer × model × metric), and the figures
/// (`fig2-accuracy.svg`, `density-<model>.svg`, `curves-<model>.svg`).
public struct StudyReport {
    /// The results.
    public let results: StudyResults
    /// Lines about how the study was run (store, scoring route, ...) for the report's header.
    public var notes: [String] = []
    /// When the report was made (shown in it).
    public var date = Date()
    /// Figures made elsewhere (file name in the report folder, caption), listed after the others.
    public var extraFigures: [(name: String, caption: String)] = []

    /// A report of `results`.
    public init(results: StudyResults) {
        self.results = results
    }

    var plan: StudyPlan { results.plan }

    /// Writes every file into `directory` (created if needed); returns the paths written.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var written: [String] = []
        func save(_ name: String, _ text: String) throws {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
            written.append(path(name))
        }
        let figures = StudyFigures(results: results)
        try save("fig2-accuracy.svg", figures.accuracy().text)
        var figureNames = ["fig2-accuracy.svg"]
        for model in plan.models {
            if let density = figures.density(model: model) {
                try save("density-\(model).svg", density.text)
                figureNames.append("density-\(model).svg")
            }
            if let curves = figures.curves(model: model) {
                try save("curves-\(model).svg", curves.text)
                figureNames.append("curves-\(model).svg")
            }
        }
        try save("results.csv", resultsCSV())
        try save("summary.csv", summaryCSV())
        try save("report.md", markdown(figures: figureNames))
        return written
    }

    // MARK: Markdown

    /// The whole report.md.
    public func markdown(figures: [String] = []) -> String {
        var out = "# Sharpness-aware optimizers: study `\(plan.name)`\n\n"
        out += "Generated \(ISO8601DateFormatter().string(from: date)) by `sharp study` from the index "
            + "(the same numbers as `sharpq compare --rows optimizer --cols model`).\n\n"
        out += settings()
        out += atAGlance()
        out += table1()
        for (i, model) in plan.models.enumerated() {
            out += modelTable(model, number: i + 2)
        }
        out += supplementaryTable()
        out += runsTable()
        out += nextToThePaper()
        out += figureSection(figures)
        out += definitions()
        out += warnings()
        return out
    }

    func settings() -> String {
        var rows: [(String, String)] = [
            ("models", plan.models.joined(separator: ", ")),
            ("optimizers", plan.optimizers.joined(separator: ", ") + " (baseline: \(plan.baseline); SAM-family on an Adam base)"),
            ("seeds", plan.seeds.map(String.init).joined(separator: ", ")),
            ("data", "`\(plan.data)`, \(plan.imageSize)×\(plan.imageSize), stratified 80/20 split"),
            ("training", "lr \(Self.number(plan.learningRate)), batch \(plan.batchSize), "
                + (plan.untilTrainAccuracy.map { "until \(Self.number($0 * 100))% train accuracy, " } ?? "") + "at most \(plan.maxEpochs) epochs"),
            ("metrics", plan.metrics.map { "`\($0)`" }.joined(separator: ", ")),
            ("Hessian data", plan.evaluationSamples.map { "\($0) training samples (seeded subset), evaluation mode" } ?? "the whole training split, evaluation mode"),
        ]
        rows += notes.map { ("run", $0) }
        var out = "| setting | value |\n|---|---|\n"
        for (k, v) in rows { out += "| \(k) | \(Self.cellText(v)) |\n" }
        let cells = plan.cells.count, found = cells - results.missingCells.count
        out += "\n\(found) of \(cells) cells (\(plan.models.count) models × \(plan.optimizers.count) optimizers × \(plan.seeds.count) seeds) have results. "
        out += "Cells read `mean ± half-width of the 95% Student-t interval` over seeds; `(n=k)` marks cells with fewer runs than seeds; "
            + "`‡` marks cells with a run that stopped at the \(plan.maxEpochs)-epoch cap before reaching the accuracy rule (Table S2 names them).\n\n"
        return out
    }

    func table1() -> String {
        let rows: [TableRow] = plan.models.map { model in ([model], { cell(plan.baseline, model, $0) }) }
        return "## Table 1. Baselines (\(plan.baseline))\n\n" + columnTable(["model"], StudyResults.tableColumns, rows: rows) + "\n"
    }

    func modelTable(_ model: String, number: Int) -> String {
        let columns = StudyResults.tableColumns
        let rows: [TableRow] = plan.optimizers.map { optimizer in ([optimizer], { cell(optimizer, model, $0) }) }
        let paired: [TableRow] = plan.optimizers.filter { $0 != plan.baseline }.map { optimizer in
            ([optimizer], { pairedCell(optimizer, model, $0) })
        }
        var out = "## Table \(number). \(model)\n\n" + columnTable(["optimizer"], columns, rows: rows)
        out += "\nPaired t-tests against \(plan.baseline) over seeds (Δ = optimizer − \(plan.baseline), mean ± 95% CI; two-sided p):\n\n"
        return out + columnTable(["optimizer"], columns, rows: paired) + "\n"
    }

    func supplementaryTable() -> String {
        let rows: [TableRow] = plan.models.flatMap { model in
            plan.optimizers.map { optimizer in ([model, optimizer], { cell(optimizer, model, $0) }) }
        }
        return "## Table S1. Fit, generalization gap and eigenvalue density (SLQ)\n\n"
            + columnTable(["model", "optimizer"], StudyResults.supplementaryColumns, rows: rows) + "\n"
    }

    /// A row of `columnTable`: its labels, and its text for each column.
    typealias TableRow = (labels: [String], text: (StudyResults.Column) -> String)

    /// A Markdown table: the left-aligned `labels` columns, then one right-aligned column per
    /// entry of `columns`, then one line per row.
    func columnTable(_ labels: [String], _ columns: [StudyResults.Column], rows: [TableRow]) -> String {
        var out = "| " + (labels + columns.map(\.heading)).joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: labels.count) + String(repeating: "---:|", count: columns.count) + "\n"
        for row in rows { out += "| " + (row.labels + columns.map(row.text)).joined(separator: " | ") + " |\n" }
        return out
    }

    func figureSection(_ figures: [String]) -> String {
        guard !figures.isEmpty || !extraFigures.isEmpty else { return "" }
        var out = "## Figures\n\n"
        for name in figures {
            let caption: String
            if name == "fig2-accuracy.svg" {
                caption = "Figure 2. Test accuracy of each optimizer against the \(plan.baseline) baseline, per model (mean ± 95% CI over seeds)"
            } else if name.hasPrefix("density-") {
                caption = "Hessian eigenvalue density (SLQ) of \(name.dropFirst(8).dropLast(4)), \(densityLabel) (one line per seed)"
            } else {
                caption = "Training curves of \(name.dropFirst(7).dropLast(4)) (one line per seed)"
            }
            out += "![\(caption)](\(name))\n\n*\(caption).*\n\n"
        }
        for (name, caption) in extraFigures { out += "![\(caption)](\(name))\n\n*\(caption).*\n\n" }
        return out
    }

    var densityLabel: String {
        plan.optimizers.contains("sam") ? "\(plan.baseline) vs sam" : plan.optimizers.joined(separator: ", ")
    }

    func definitions() -> String {
        """
        ## Definitions

        - **test acc**: accuracy on the test split (eval mode), plugin `accuracy`. **training time**: wall-clock seconds of \
        training recorded in the checkpoint (`elapsed_seconds`, across resumes). **epochs**: epochs until the stopping rule.
        - **top eigenvalue**: λ_max, the largest algebraic Hessian eigenvalue by Lanczos (`hessian-eigen`).
        - **median / mean / SD**: statistics over training mini-batches of each batch's top Hessian eigenvalue \
        (`hessian-spectrum:mode=per-batch`, PyHessian power iteration) — the only definition the paper's tables fit \
        (docs/algorithms.md#per-batch-mode). Table S1 gives the statistics of the SLQ eigenvalue density instead (ESD: mean ≈ trace/n).
        - **trace**: Hutchinson estimate with Rademacher probes (`hessian-trace`); unbiased, unlike the early-stopping rule \
        behind the paper's negative traces.
        - **± (CI)**: half-width of the 95% Student-t interval, t(0.975, n−1)·s/√n, over seeds. **Δ, p**: paired t-test of \
        the optimizer's per-seed values minus the baseline's on the same seed (same initial weights and data order); \
        `p` is two-sided, `k pairs` the seeds both have. With two seeds the test has one degree of freedom and little power.
        - **train loss** (Table S1): mean cross-entropy on the training split at the final checkpoint, eval mode. The \
        Hessian of a cross-entropy shrinks as the softmax saturates, whatever the optimizer, so a run that trained longer to \
        a lower loss looks flatter for that reason too: compare curvature between runs of similar train loss.


        """
    }

    func warnings() -> String {
        var lines: [String] = []
        if !results.missingCells.isEmpty {
            lines.append("cells without results: " + results.missingCells.map(\.runID).joined(separator: ", "))
        }
        lines += results.comparison.warnings
        let builds = Dictionary(grouping: plan.cells.compactMap { results.runs[$0.runID]?.build }) { $0 }
        if builds.count > 1 {
            lines.append("the runs come from \(builds.count) builds (commit, CPU, BLAS kernel), whose float32 results may differ in the last "
                + "bits and so in their training trajectories: " + builds.keys.sorted().map { "\($0): \(builds[$0]?.count ?? 0) run(s)" }
                    .joined(separator: "; ") + " (Table S2 says which)")
        }
        guard !lines.isEmpty else { return "" }
        return "## Warnings\n\n" + lines.map { "- \($0)\n" }.joined() + "\n"
    }

    // MARK: Cells

    /// `mean ± ci` for a table cell (`–` when missing).
    func cell(_ optimizer: String, _ model: String, _ column: StudyResults.Column) -> String {
        guard let s = results.summary(optimizer, model, column.key) else { return "–" }
        var text = Self.number(s.mean * column.scale)
        if let h = s.halfWidth95 { text += " ± " + Self.number(h * column.scale) }
        if s.count < plan.seeds.count { text += " (n=\(s.count))" }
        if !results.cappedRuns(optimizer, model).isEmpty { text += " ‡" }
        return text
    }

    /// `Δ ± ci, p` for a paired-test cell.
    func pairedCell(_ optimizer: String, _ model: String, _ column: StudyResults.Column) -> String {
        guard let t = results.paired(optimizer, model, column.key) else { return "–" }
        var text = Self.signed(t.meanDifference * column.scale)
        if let h = t.halfWidth95 { text += " ± " + Self.number(h * column.scale) }
        if let p = t.p { text += p < 0.001 ? ", p<0.001" : ", p=" + Self.pValue(p) }
        text += " (\(t.pairs) pair\(t.pairs == 1 ? "" : "s"))"
        return text
    }

    // MARK: CSV

    /// One row per run (exact numbers; empty cells for missing values).
    public func resultsCSV() -> String {
        let columns = StudyResults.allColumns
        var out = "model,optimizer,seed,run_id,checkpoint," + columns.map(\.key).joined(separator: ",")
            + ",stop_reason,sharp_version,commit,cpu,blas\n"
        var seen = Set<String>()
        func field(_ text: String?) -> String { text.map(ResultTable.csvField) ?? "" }
        for cell in plan.cells {
            guard let first = results.samples.first(where: { $0.runID == cell.runID }), seen.insert(cell.runID).inserted else { continue }
            let values = columns.map { c in results.value(runID: cell.runID, c.key).map(NumberText.exact) ?? "" }
            let run = results.runs[cell.runID]
            let provenance = [run?.stopReason, run?.version, run?.commit, run?.cpu, run?.blas].map(field)
            let identity = [cell.model, cell.optimizer, String(cell.seed), cell.runID, first.checkpoint].map(field)
            out += (identity + values + provenance).joined(separator: ",") + "\n"
        }
        return out
    }

    /// One row per optimizer × model × metric: n, mean, sd, CI and the paired test.
    public func summaryCSV() -> String {
        var out = "model,optimizer,metric,n,mean,sd,ci95,paired_n,mean_diff,mean_diff_ci95,t,df,p\n"
        func e(_ v: Double?) -> String { v.map(NumberText.exact) ?? "" }
        for model in plan.models {
            for optimizer in plan.optimizers {
                for column in StudyResults.allColumns {
                    guard let s = results.summary(optimizer, model, column.key) else { continue }
                    let t = results.paired(optimizer, model, column.key)
                    out += "\(model),\(optimizer),\(column.key),\(s.count),\(e(s.mean)),\(e(s.standardDeviation)),\(e(s.halfWidth95)),"
                        + "\(t.map { String($0.pairs) } ?? ""),\(e(t?.meanDifference)),\(e(t?.halfWidth95)),\(e(t?.t)),"
                        + "\(t.map { String($0.degreesOfFreedom) } ?? ""),\(e(t?.p))\n"
                }
            }
        }
        return out
    }

    // MARK: Numbers

    /// Four significant digits; exponent form outside [1e-3, 1e6).
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 || a < 1e-3 { return String(format: "%.3e", v) }
        let decimals = max(0, 3 - Int(log10(a).rounded(.down)))
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    static func signed(_ v: Double) -> String { (v > 0 ? "+" : "") + number(v) }

    static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return "–" }
        if p < 0.001 { return "<0.001" }
        return String(format: "%.3f", p)
    }

    static func cellText(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}

extension StudyReport {
    /// Table S2: every run with how it stopped and what built and ran it.
    func runsTable() -> String {
        var out = "## Table S2. Runs: how each stopped, and the build it trained on\n\n"
        out += "| model | optimizer | seed | epochs | stopped by | train acc (%) | training time (s) | build (commit, CPU, BLAS kernel) |\n"
        out += "|---|---|---:|---:|---|---:|---:|---|\n"
        for cell in plan.cells {
            guard let run = results.runs[cell.runID] else { continue }
            let stop = run.hitCap ? "**epoch cap**" : run.stopReason == Trainer.StopReason.reachedTrainAccuracy.rawValue ? "accuracy rule" : run.stopReason
            out += "| \(cell.model) | \(cell.optimizer) | \(cell.seed) | \(run.epochs) | \(stop) | \(Self.number(run.trainAccuracy * 100)) | "
                + "\(Self.number(run.seconds)) | \(Self.cellText(run.build)) |\n"
        }
        return out + "\n"
    }
}
