import Charts
import Checkpoint
import Foundation
import Index
import IndexPresentation
import IndexQueries

extension WebApp {
    /// `/checkpoint/<hash prefix>`: every metric with its standard error, the SLQ density, the
    /// per-batch λmax histogram, the training curve from the archive's `history.csv`, the study's
    /// loss-landscape figure for its model when there is one, provenance, and the manifest.
    func checkpointPage(prefix: String, _ request: WebRequest) throws -> WebResponse {
        let (detail, density, perBatch) = try pool.with { index in
            let detail = try index.checkpointDetail(prefix: prefix)
            return (
                detail, try index.seriesText(sha256: detail.sha256, plugin: "hessian-spectrum", name: "density"),
                try index.seriesText(sha256: detail.sha256, plugin: "hessian-spectrum", name: "per_batch"))
        }
        let field = { (name: String) in detail.fields.first { $0.name == name }?.value }
        let sha = detail.sha256
        var body = "<p><code id=\"sha256\">\(HTML.escape(sha))</code> · "
        body += HTML.link("JSON", to: "/api/show/\(sha)") + "</p>\n"

        let summaryNames = ["run_id", "model", "optimizer", "base_optimizer", "dataset", "seed", "epoch", "step", "training_loss",
                            "training_accuracy", "status", "provenance", "path"]
        body += HTML.pairs(summaryNames.compactMap { name in
            field(name).map { (name, HTML.escape(ResultTable.humanText(ResultCell($0)))) }
        })

        body += "<h2>Metrics</h2>\n"
        let current = detail.metrics.filter(\.isCurrent)
        body += current.isEmpty ? "<p class=\"muted\" id=\"metrics\">not scored yet</p>\n" : HTML.table(
            columns: ["metric", "plugin:output", "value", "stderr", "HVPs", "seconds", "plugin_version"],
            rows: current.map { m in
                [
                    m.metric.displayName, "\(m.metric.plugin):\(m.metric.name)",
                    Self.valueText(m.value),
                    m.standardError.map(NumberText.rounded) ?? "-", m.hvpCount.map(String.init) ?? "-",
                    m.seconds.map(NumberText.rounded) ?? "-", m.pluginVersion,
                ]
            }, numeric: [2, 3, 4, 5], id: "metrics")
        if detail.metrics.count > current.count {
            body += "<p class=\"muted\">\(detail.metrics.count - current.count) older result(s) of other plugin versions or parameters: "
            body += HTML.link("all rows", to: "/api/show/\(sha)") + "</p>\n"
        }

        body += "<h2>Plots</h2>\n"
        var plots: [String] = []
        if let text = density, let series = SeriesJSON.decode(text) { plots.append(Self.densityFigure(series)) }
        if let text = perBatch, let series = SeriesJSON.decode(text) { plots.append(Self.histogramFigure(series.y)) }
        let archive = detail.paths.first { $0.present }?.path ?? field("path")?.string
        var manifestText: String?
        var provenance: Manifest.Provenance?
        if let archive {
            do {
                let read = try archives.manifestAndHistory(of: archive, sha256: sha)
                manifestText = read.manifestText
                provenance = read.manifest.provenance
                if let curve = Self.historyFigure(read.history) { plots.append(curve) }
            } catch {
                plots.append("<p class=\"muted\" id=\"archive-error\">the archive cannot be read: \(HTML.escape("\(error)"))</p>")
            }
        }
        if let model = field("model")?.string, let landscape = landscapeFigure(archive: archive, model: model) { plots.append(landscape) }
        body += plots.isEmpty ? "<p class=\"muted\">no series recorded and no archive to read</p>\n" : plots.joined(separator: "\n")

        body += "\n<h2>Provenance</h2>\n"
        if let provenance {
            body += HTML.pairs([
                ("source", HTML.escape(provenance.source)), ("file", HTML.escape(provenance.file)),
                ("sha256", HTML.escape(provenance.sha256)),
                ("conversions", provenance.conversions.map(HTML.escape).joined(separator: "<br>")),
                ("metadata", provenance.metadata.sorted { $0.key < $1.key }.map { HTML.escape("\($0.key): \($0.value)") }.joined(separator: "<br>")),
            ])
        } else {
            body += "<p id=\"provenance\">\(HTML.escape(field("provenance")?.string ?? "trained")) by Sharp</p>\n"
        }
        body += "<h2>Paths</h2>\n" + HTML.table(
            columns: ["path", "present", "first seen", "last seen"],
            rows: detail.paths.map { [$0.path, $0.present ? "yes" : "no", ISOTime.format($0.firstSeenAt), ISOTime.format($0.lastSeenAt)] })
        if !detail.jobs.isEmpty { body += "<h2>Jobs</h2>\n" + HTML.resultTable(detail.jobs.table(), id: "jobs") }
        if let manifestText {
            body += "<h2>Manifest</h2>\n<pre id=\"manifest\">\(HTML.escape(Self.prettyJSON(manifestText)))</pre>\n"
        }
        let title = "Checkpoint " + String(sha.prefix(12)) + (field("run_id")?.string.map { " · \($0)" } ?? "")
        return .html(HTML.page(title: title, active: "Checkpoints", body: body))
    }

    /// The study report's landscape figure for this model, when the checkpoint belongs to a study
    /// (`<store>/study/<name>/…`) whose report has one.
    func landscapeFigure(archive: String?, model: String) -> String? {
        guard let archive else { return nil }
        let studies = URL(fileURLWithPath: store).appendingPathComponent("study").standardizedFileURL.path + "/"
        let path = URL(fileURLWithPath: archive).standardizedFileURL.path
        guard path.hasPrefix(studies), let name = path.dropFirst(studies.count).split(separator: "/").first else { return nil }
        let file = "landscape-\(model).svg"
        guard (try? studyFilePath(name: String(name), file: [file])) != nil else { return nil }
        return "<figure id=\"landscape\"><img src=\"/study/\(URLText.encode(String(name)))/files/\(URLText.encode(file))\" "
            + "alt=\"loss landscape of \(HTML.escape(model))\"><figcaption>loss landscape of the study's \(HTML.escape(model)) cells</figcaption></figure>"
    }

    /// Indented JSON for reading; the text itself when it does not parse.
    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    static func figure(_ svg: SVGDocument, id: String) -> String {
        "<figure id=\"\(id)\">\(svg.inlineText)</figure>"
    }

    /// The SLQ density on a log axis (as the study's figures draw it).
    static func densityFigure(_ series: (x: [Double], y: [Double])) -> String {
        let positive = series.y.filter { $0 > 0 && $0.isFinite }
        let top = positive.max() ?? 1, floor = top * 1e-7
        let chart = LineChart(
            title: "Hessian eigenvalue density (SLQ)", x: PlotAxis.fitting(series.x, label: "eigenvalue"),
            y: PlotAxis.fitting([max(positive.min() ?? floor, floor), top], label: "density (log scale)", scale: .log10),
            series: [.init(name: "density", color: "#1f77b4", points: zip(series.x, series.y).map { (x: $0, y: $1 >= floor ? $1 : .nan) })])
        var svg = SVGDocument(width: 620, height: 380)
        chart.draw(into: &svg, frame: PlotFrame(x: 80, y: 40, width: 510, height: 280), legend: false)
        return figure(svg, id: "density")
    }

    /// A histogram of the per-batch top eigenvalues (how much λmax varies between batches).
    static func histogramFigure(_ values: [Double]) -> String {
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let bins = max(1, min(12, Int(Double(finite.count).squareRoot().rounded(.up))))
        let width = high > low ? (high - low) / Double(bins) : 1
        var counts = [Int](repeating: 0, count: bins)
        for v in finite { counts[min(bins - 1, Int((v - low) / width))] += 1 }
        let labels = (0..<bins).map { NumberText.rounded(low + (Double($0) + 0.5) * width) }
        let chart = BarChart(
            title: "Top eigenvalue per batch (\(finite.count) batches)", groups: labels, seriesNames: ["batches"], colors: ["#ff7f0e"],
            bars: counts.map { [BarChart.Bar(value: Double($0))] },
            y: PlotAxis.fitting(counts.map(Double.init), label: "batches", including: [0]))
        var svg = SVGDocument(width: 620, height: 380)
        chart.draw(into: &svg, frame: PlotFrame(x: 80, y: 40, width: 430, height: 280))
        svg.text("λmax of the batch (bin centre)", x: 295, y: 362, size: 12, anchor: "middle")
        return figure(svg, id: "per-batch")
    }

    /// Training loss and accuracy per epoch from `history.csv` (its header names the columns).
    static func historyFigure(_ csv: String) -> String? {
        let lines = csv.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let epoch = header.firstIndex(of: "epoch") else { return nil }
        let rows = lines.dropFirst().filter { $0.count == header.count }
        func column(_ name: String) -> [(x: Double, y: Double)] {
            guard let i = header.firstIndex(of: name) else { return [] }
            return rows.compactMap { row in Double(row[epoch]).flatMap { x in Double(row[i]).map { (x: x, y: $0) } } }
        }
        let panels: [(String, [String])] = [("loss", ["train_loss", "test_loss"]), ("accuracy", ["train_accuracy", "test_accuracy"])]
        let colors = ["#1f77b4", "#d62728"]
        var svg = SVGDocument(width: 900, height: 360)
        var drawn = 0
        for (p, (label, names)) in panels.enumerated() {
            let series = names.enumerated().compactMap { i, name -> LineChart.Series? in
                let points = column(name)
                return points.isEmpty ? nil : .init(name: name, color: colors[i], points: points, markers: points.count < 40)
            }
            guard !series.isEmpty else { continue }
            drawn += 1
            let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
            LineChart(title: "Training \(label) per epoch", x: PlotAxis.fitting(xs, label: "epoch"),
                      y: PlotAxis.fitting(ys, label: label), series: series)
                .draw(into: &svg, frame: PlotFrame(x: 80 + Double(p) * 450, y: 40, width: 340, height: 260), legend: series.count > 1)
        }
        return drawn == 0 ? nil : figure(svg, id: "history")
    }
}
