import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// What `/compare` and `/api/compare` compute, read from the URL with `sharpq compare`'s names:
/// `rows`, `cols`, `metric` (repeatable or comma-separated), `baseline`, `order`, `where`,
/// `every_checkpoint`.
struct CompareView {
    var query: CompareQuery
    var baseline: String
    var order: [String]

    init(_ request: WebRequest) throws {
        let metrics = request.values("metric").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        query = CompareQuery(
            rows: request.value("rows") ?? "optimizer", cols: request.value("cols"), metrics: metrics.isEmpty ? ["test_acc"] : metrics,
            filters: try request.values("where").map { try Filter(parsing: $0) },
            everyCheckpoint: try request.flag("every_checkpoint"))
        baseline = request.value("baseline") ?? CompareQuery.defaultBaseline
        order = request.value("order").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? CompareQuery.defaultRowOrder
    }
}

extension WebRequest {
    /// A yes/no parameter: absent, `0`, `false` or `no` is false; `1`, `true`, `yes` or empty is true.
    func flag(_ name: String) throws -> Bool {
        guard let pair = query.last(where: { $0.name == name }) else { return false }
        switch pair.value.lowercased() {
        case "", "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw WebError.badRequest("\(name)=\(pair.value): use true or false")
        }
    }
}

extension WebApp {
    /// The comparison a view asks for (as `sharpq compare` computes it).
    func comparison(_ view: CompareView) throws -> Comparison {
        try pool.with { index in
            let samples = try index.comparisonSamples(view.query)
            let metrics = try view.query.metrics.map { try index.resolveField($0).displayName }
            return Comparison(samples: samples, metrics: metrics, baseline: view.baseline, rowOrder: view.order)
        }
    }

    /// `/compare`: mean ± 95% CI over seeds per group, with paired tests against the baseline.
    func comparePage(_ request: WebRequest) throws -> WebResponse {
        let view = try CompareView(request)
        let comparison = try comparison(view)
        let q = view.query
        var body = "<form class=\"filter\" method=\"get\" action=\"/compare\" id=\"compare-form\">\n"
        let fields: [(String, String, String)] = [
            ("rows", q.rows, "optimizer"), ("cols", q.cols ?? "", "model"), ("metric", q.metrics.joined(separator: ","), "test_acc,lambda_max"),
            ("baseline", view.baseline, "adam"),
        ]
        for (name, value, placeholder) in fields {
            body += "<label>\(name) <input type=\"text\" name=\"\(name)\" value=\"\(HTML.escape(value))\" placeholder=\"\(placeholder)\"></label> "
        }
        body += "<br>\n"
        for condition in request.values("where") + [""] {
            body += "<label>where <input type=\"text\" name=\"where\" value=\"\(HTML.escape(condition))\" placeholder=\"dataset=bus-synth\"></label> "
        }
        body += "<button type=\"submit\">Compare</button></form>\n"
        let shared = request.query.filter { ["rows", "cols", "metric", "baseline", "order", "where", "every_checkpoint"].contains($0.name) }
        body += "<p class=\"muted\">Each run counts with its last matching checkpoint; the interval is the 95% CI of the mean over seeds, "
        body += "p the paired t-test against \(HTML.escape(view.baseline)) over the seeds both have. "
        body += HTML.link("JSON", to: "/api/compare?" + URLText.query(shared.map { ($0.name, $0.value) })) + "</p>\n"
        body += comparison.cells.isEmpty
            ? "<p class=\"muted\" id=\"comparison\">no checkpoint matches</p>\n"
            : HTML.resultTable(comparison.pivotTable(rowKey: q.rows), id: "comparison")
        if !comparison.warnings.isEmpty {
            body += "<ul class=\"muted\" id=\"warnings\">" + comparison.warnings.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        }
        return .html(HTML.page(title: "Compare", active: "Compare", body: body))
    }
}
