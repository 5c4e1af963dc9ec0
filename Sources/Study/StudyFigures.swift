import Charts
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// The report's figures as SVG documents.
public struct StudyFigures {
    /// The data.
    public let results: StudyResults

    /// Figures of `results`.
    public init(results: StudyResults) {
        self.results = results
    }

    var plan: StudyPlan { results.plan }

    /// Figure 2: test accuracy (%) by model (groups) and optimizer (bars), mean ± 95% CI, with
    /// each group's baseline mean as a dashed line and each bar's difference to it written above.
    public func accuracy() -> SVGDocument {
        let groups = plan.models, series = plan.optimizers
        var bars: [[BarChart.Bar?]] = []
        var notes: [[String?]] = []
        for model in groups {
            var row: [BarChart.Bar?] = [], noteRow: [String?] = []
            for optimizer in series {
                guard let s = results.summary(optimizer, model, "test_acc") else {
                    row.append(nil)
                    noteRow.append(nil)
                    continue
                }
                let h = s.halfWidth95
                row.append(BarChart.Bar(value: s.mean * 100, low: h.map { (s.mean - $0) * 100 }, high: h.map { (s.mean + $0) * 100 }))
                let cap = results.cappedRuns(optimizer, model).isEmpty ? "" : " ‡"
                if optimizer != plan.baseline, let base = results.summary(plan.baseline, model, "test_acc") {
                    noteRow.append(String(format: "%+.1f", (s.mean - base.mean) * 100) + cap)
                } else {
                    noteRow.append(cap.isEmpty ? nil : "‡")
                }
            }
            bars.append(row)
            notes.append(noteRow)
        }
        let width = max(680, 80 + Double(groups.count * max(series.count, 2)) * 56 + 150)
        var svg = SVGDocument(width: width, height: 450)
        let frame = PlotFrame(x: 80, y: 60, width: width - 80 - 150, height: 320)
        let y = PlotAxis(label: "test accuracy (%)", lower: 0, upper: 100)
        var chart = BarChart(
            title: "", groups: groups, seriesNames: series, colors: series.enumerated().map { Colormap.optimizer($1, index: $0) },
            bars: bars, y: y)
        chart.annotations = notes
        chart.draw(into: &svg, frame: frame)
        svg.text("Figure 2: test accuracy vs the \(plan.baseline) baseline", x: width / 2, y: 24, size: 15, anchor: "middle", weight: "bold")
        let counts = groups.flatMap { model in series.compactMap { results.summary($0, model, "test_acc")?.count } }
        let capped = groups.contains { model in series.contains { !results.cappedRuns($0, model).isEmpty } }
        svg.text(Self.seedsSubtitle(counts: counts, planned: plan.seeds.count)
                 + (capped ? "; ‡ a run stopped at the \(plan.maxEpochs)-epoch cap" : ""), x: width / 2, y: 42, size: 12, anchor: "middle",
                 fill: "#444444")
        // Baseline reference per group.
        let groupWidth = frame.width / Double(max(groups.count, 1))
        for (g, model) in groups.enumerated() {
            if let base = results.summary(plan.baseline, model, "test_acc") {
                let py = frame.py(y.fraction(base.mean * 100))
                svg.line(x1: frame.x + Double(g) * groupWidth + 4, y1: py, x2: frame.x + Double(g + 1) * groupWidth - 4, y2: py,
                         stroke: "#222222", width: 1, dash: "5 3")
            }
        }
        svg.text("dashed: \(plan.baseline) mean; in the bars: difference to it (percentage points)", x: frame.x,
                 y: frame.y + frame.height + 42, size: 11, fill: "#555555")
        return svg
    }

    /// Eigenvalue densities of `model`: one line per run, coloured by optimizer, dashed by seed;
    /// log-scaled density. Nil when no run of the model has a density.
    public func density(model: String) -> SVGDocument? {
        let runs = results.densities.filter { $0.cell.model == model }
        guard !runs.isEmpty else { return nil }
        let xs = runs.flatMap(\.x), ys = runs.flatMap(\.y).filter { $0 > 0 && $0.isFinite }
        guard let top = ys.max() else { return nil }
        let floor = top * 1e-7
        let x = PlotAxis.fitting(xs, label: "eigenvalue")
        let y = PlotAxis.fitting([max(ys.min() ?? floor, floor), top], label: "density (log scale)", scale: .log10)
        let series = runs.map { run in
            LineChart.Series(
                name: run.cell.optimizer, color: Colormap.optimizer(run.cell.optimizer, index: plan.optimizers.firstIndex(of: run.cell.optimizer) ?? 0),
                dash: dash(run.cell.seed), points: zip(run.x, run.y).map { (x: $0, y: $1 >= floor ? $1 : .nan) })
        }
        let chart = LineChart(title: "Hessian eigenvalue density, \(model) (SLQ)", x: x, y: y, series: series)
        var svg = SVGDocument(width: 720, height: 460)
        chart.draw(into: &svg, frame: PlotFrame(x: 80, y: 40, width: 610, height: 340))
        svg.text(seedNote + "; densities below 1e-7 of the peak are not drawn", x: 80, y: 440, size: 11, fill: "#555555")
        return svg
    }

    /// Training loss and accuracy per epoch of `model`'s runs (two panels). Nil without histories.
    public func curves(model: String) -> SVGDocument? {
        let cells = plan.cells.filter { $0.model == model && !(results.histories[$0.runID] ?? []).isEmpty }
        guard !cells.isEmpty else { return nil }
        func series(_ value: (StudyResults.EpochRow) -> Double) -> [LineChart.Series] {
            cells.map { cell in
                LineChart.Series(
                    name: cell.optimizer, color: Colormap.optimizer(cell.optimizer, index: plan.optimizers.firstIndex(of: cell.optimizer) ?? 0),
                    dash: dash(cell.seed), points: (results.histories[cell.runID] ?? []).map { (x: Double($0.epoch), y: value($0)) },
                    markers: true)
            }
        }
        let rows = cells.flatMap { results.histories[$0.runID] ?? [] }
        let epochs = PlotAxis.fitting(rows.map { Double($0.epoch) }, label: "epoch", including: [0])
        let loss = LineChart(title: "\(model): training loss", x: epochs,
                             y: PlotAxis.fitting(rows.map(\.trainLoss), label: "train loss (cross-entropy)", including: [0]),
                             series: series(\.trainLoss))
        let accuracy = LineChart(title: "\(model): training accuracy", x: epochs,
                                 y: PlotAxis(label: "train accuracy (%)", lower: 0, upper: 100), series: series { $0.trainAccuracy * 100 })
        var svg = SVGDocument(width: 1060, height: 440)
        loss.draw(into: &svg, frame: PlotFrame(x: 80, y: 40, width: 420, height: 320))
        accuracy.draw(into: &svg, frame: PlotFrame(x: 610, y: 40, width: 420, height: 320), legend: false)
        svg.text(seedNote, x: 80, y: 425, size: 11, fill: "#555555")
        return svg
    }

    /// "line style: seed 0 solid, seed 1 dashed, ...".
    var seedNote: String {
        let names = ["solid", "dashed", "dotted", "dash-dot"]
        return "line style: " + plan.seeds.enumerated().map { "seed \($1) \(names[$0 % names.count])" }.joined(separator: ", ")
    }

    /// Dash pattern of the i-th seed: solid, dashed, dotted, dash-dot.
    func dash(_ seed: UInt64) -> String? {
        let patterns: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]
        let i = plan.seeds.firstIndex(of: seed) ?? 0
        return patterns[i % patterns.count]
    }

    /// "mean ± 95% CI over 3 seeds", or for a study still running, how many seeds the bars have.
    static func seedsSubtitle(counts: [Int], planned: Int) -> String {
        let plural = planned == 1 ? "" : "s"
        guard let low = counts.min(), let high = counts.max(), low < planned else { return "mean ± 95% CI over \(planned) seed\(plural)" }
        let range = low == high ? "\(low)" : "\(low)–\(high)"
        return "mean ± 95% CI over seeds: \(range) of \(planned) per bar so far" + (low == 1 ? " (no interval from one seed)" : "")
    }
}
