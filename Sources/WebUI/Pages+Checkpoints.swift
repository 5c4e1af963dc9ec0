import Foundation
import Index
import IndexPresentation
import IndexQueries

/// What `/checkpoints` shows, read from its URL: `where` (repeatable, `sharpq --where` syntax),
/// `sort` (a metric; none: newest first), `order` (`asc` or `desc`), `metric` (columns, repeatable),
/// `page` and `per_page`.
struct CheckpointsView {
    var conditions: [String]
    var sort: String?
    var ascending: Bool
    var metrics: [String]
    var page: Int
    var perPage: Int

    static let defaultMetrics = ["test_acc", "lambda_max", "trace"]

    init(_ request: WebRequest) throws {
        conditions = request.values("where")
        sort = request.value("sort")
        switch request.value("order") ?? "desc" {
        case "asc": ascending = true
        case "desc": ascending = false
        case let other: throw WebError.badRequest("order=\(other): use asc or desc")
        }
        metrics = request.values("metric").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        page = try request.positiveInteger("page", default: 1, maximum: 100_000_000)
        perPage = try request.positiveInteger("per_page", default: 50, maximum: 500)
    }

    /// The same rows from the JSON API: `/api/top` when sorted by a metric, `/api/list` otherwise.
    var apiURL: String {
        let offset = (page - 1) * perPage
        var pairs = conditions.map { ("where", $0) }
        if let sort {
            pairs += [("metric", sort)] + (ascending ? [("asc", "true")] : [])
        } else {
            pairs += metrics.map { ("metric", $0) }
        }
        pairs += [("limit", String(perPage))] + (offset > 0 ? [("offset", String(offset))] : [])
        return (sort == nil ? "/api/list?" : "/api/top?") + URLText.query(pairs)
    }

    /// This view's URL with some parameters changed.
    func url(sort: String?? = .none, ascending: Bool? = nil, page: Int? = nil) -> String {
        let sorted = sort ?? self.sort
        var pairs = conditions.map { ("where", $0) } + metrics.map { ("metric", $0) }
        if let sorted { pairs += [("sort", sorted), ("order", (ascending ?? self.ascending) ? "asc" : "desc")] }
        let p = page ?? self.page
        if p != 1 { pairs.append(("page", String(p))) }
        if perPage != 50 { pairs.append(("per_page", String(perPage))) }
        let query = URLText.query(pairs)
        return "/checkpoints" + (query.isEmpty ? "" : "?" + query)
    }
}

/// One page of checkpoints with its metric columns (what the HTML table shows).
struct CheckpointsPage {
    var metrics: [MetricRef]
    var sortMetric: MetricRef?
    var rows: [(CheckpointSummary, [MetricReading])]
    var total: Int
}

extension WebApp {
    /// Reads one page of the view from the index: `top` when sorted by a metric, `list` otherwise.
    func checkpoints(_ view: CheckpointsView) throws -> CheckpointsPage {
        try pool.with { index in
            let filters = try view.conditions.map { try Filter(parsing: $0) }
            var metrics = try view.metrics.isEmpty
                ? CheckpointsView.defaultMetrics.compactMap { try? index.resolveMetric($0) }.filter { (try? index.isRecorded($0)) == true }
                : view.metrics.map { try index.resolveMetric($0) }
            let offset = (view.page - 1) * view.perPage
            guard let sort = view.sort else {
                let result = try index.listCheckpoints(
                    ListQuery(filters: filters, metrics: metrics.map(\.displayName), limit: view.perPage, offset: offset))
                return CheckpointsPage(metrics: metrics, sortMetric: nil, rows: result.rows.map { ($0.checkpoint, $0.readings) }, total: result.total)
            }
            let result = try index.top(
                TopQuery(metric: sort, ascending: view.ascending, limit: view.perPage, offset: offset, filters: filters))
            if !metrics.contains(result.metric) { metrics.insert(result.metric, at: 0) }
            let rows = try result.rows.map { row in
                (row.checkpoint, try metrics.map { $0 == result.metric ? row.reading : try index.currentReading($0, checkpointID: row.checkpoint.id) })
            }
            return CheckpointsPage(metrics: metrics, sortMetric: result.metric, rows: rows, total: result.total)
        }
    }

    /// `/checkpoints`: the store's checkpoints, filtered, sorted by any metric, paginated.
    func checkpointsPage(_ request: WebRequest) throws -> WebResponse {
        let view = try CheckpointsView(request)
        let page = try checkpoints(view)
        let identity = ["checkpoint", "created_at", "run_id", "model", "optimizer", "dataset", "seed", "epoch", "provenance"]
        let columns = identity + page.metrics.map(\.displayName)
        let rows: [[String]] = page.rows.map { summary, readings in
            [
                String(summary.sha256.prefix(12)), summary.createdAt.map(ISOTime.format) ?? "-", summary.runID ?? "-",
                summary.model ?? "-", summary.optimizer ?? "-", summary.dataset ?? "-", summary.seed.map(String.init) ?? "-",
                summary.epoch.map(String.init) ?? "-", summary.provenance ?? "-",
            ] + readings.map(Self.readingText)
        }
        let table = HTML.table(
            columns: columns, rows: rows, numeric: Set([6, 7] + Array(identity.count..<columns.count)), id: "checkpoints",
            header: { i, name in
                if i == 1 { return HTML.link(name, to: view.url(sort: .some(nil), page: 1), class: view.sort == nil ? "sorted" : nil) + (view.sort == nil ? " ▼" : "") }
                guard i >= identity.count else { return HTML.escape(name) }
                let metric = page.metrics[i - identity.count]
                let isSorted = metric == page.sortMetric
                let next = isSorted ? !view.ascending : false
                return HTML.link(name, to: view.url(sort: .some(metric.displayName), ascending: next, page: 1), class: isSorted ? "sorted" : nil)
                    + (isSorted ? (view.ascending ? " ▲" : " ▼") : "")
            },
            cell: { r, c, text in
                c == 0 ? HTML.link(text, to: "/checkpoint/\(page.rows[r].0.sha256)") : HTML.escape(text)
            })
        let pages = max(1, (page.total + view.perPage - 1) / view.perPage)
        let first = page.rows.isEmpty ? 0 : (view.page - 1) * view.perPage + 1
        var pager = "<p class=\"pager\" id=\"pager\">"
        if view.page > 1 { pager += HTML.link("← previous", to: view.url(page: min(view.page - 1, pages)), class: "prev") }
        pager += "<span>rows \(first)–\(first == 0 ? 0 : first + page.rows.count - 1) of \(page.total) · page \(view.page) of \(pages)</span>"
        if view.page < pages { pager += HTML.link("next →", to: view.url(page: view.page + 1), class: "next") }
        pager += "</p>\n"
        let order = page.sortMetric.map { "sorted by \($0.displayName) (\($0.plugin):\($0.name)), \(view.ascending ? "smallest" : "largest") first; NaN and missing last" }
            ?? "newest first"
        var body = filterForm(view)
        body += "<p class=\"muted\" id=\"order\">\(HTML.escape(order)). "
        body += HTML.link("JSON", to: view.apiURL) + "</p>\n"
        if page.rows.isEmpty {
            body += page.total == 0
                ? "<p id=\"empty\">No checkpoint matches \(view.conditions.isEmpty ? "yet" : "these conditions").</p>\n"
                : "<p id=\"empty\">Page \(view.page) is past the last page: \(HTML.link("page \(pages)", to: view.url(page: pages))).</p>\n"
        }
        body += pager + "<div class=\"scroll\">" + table + "</div>" + pager
        return .html(HTML.page(title: "Checkpoints", active: "Checkpoints", body: body))
    }

    /// The filter form: one field per condition, the sort and columns kept as hidden fields (GET, so
    /// the result is a URL like any other).
    private func filterForm(_ view: CheckpointsView) -> String {
        var form = "<form class=\"filter\" method=\"get\" action=\"/checkpoints\" id=\"filter\">\n"
        form += "<label>where <span class=\"muted\">(KEY=VALUE, != &lt; &lt;= &gt; &gt;=, or 'KEY in A,B'; all must hold)</span></label><br>\n"
        for condition in view.conditions + [""] {
            form += "<input type=\"text\" name=\"where\" value=\"\(HTML.escape(condition))\" placeholder=\"model=vgg-mini\"><br>\n"
        }
        if let sort = view.sort {
            form += "<input type=\"hidden\" name=\"sort\" value=\"\(HTML.escape(sort))\">"
            form += "<input type=\"hidden\" name=\"order\" value=\"\(view.ascending ? "asc" : "desc")\">\n"
        }
        for metric in view.metrics { form += "<input type=\"hidden\" name=\"metric\" value=\"\(HTML.escape(metric))\">\n" }
        form += "<button type=\"submit\">Filter</button> \(HTML.link("clear", to: "/checkpoints"))</form>\n"
        return form
    }

    /// A reading for a person: the value with its standard error, `NaN`, or `-` when missing.
    static func readingText(_ reading: MetricReading) -> String {
        guard case .number = reading.value else { return valueText(reading.value) }
        return valueText(reading.value) + (reading.standardError.map { " ± " + NumberText.rounded($0) } ?? "")
    }

    /// A value for a person: rounded, `NaN`, or `-` when missing.
    static func valueText(_ value: MetricValue) -> String {
        switch value {
        case .missing: return "-"
        case .nan: return "NaN"
        case .number(let v): return NumberText.rounded(v)
        }
    }
}
