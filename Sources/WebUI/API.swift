import Foundation
import Index
import IndexPresentation
import IndexQueries
import JSON
import Statistics

/// `/api/...`: the `sharpq` queries as JSON, with the documents `sharpq --format json` prints
/// (the same field names, rows and top-level keys) and its option names as query parameters.
extension WebApp {
    /// The endpoints, with what each mirrors (also the answer of `/api`).
    static let endpoints: [(path: String, mirrors: String, parameters: String)] = [
        ("/api/top", "sharpq top", "metric (required), asc, limit (20), offset, where…"),
        ("/api/list", "sharpq list", "metric…, limit (50), offset, only_changed, where…"),
        ("/api/runs", "sharpq runs", "metric…, limit (50), offset, where…"),
        ("/api/show/<checkpoint>", "sharpq show", "a hash prefix, path or file name"),
        ("/api/metrics", "sharpq metrics", "all"),
        ("/api/compare", "sharpq compare", "rows, cols, metric…, baseline, order, every_checkpoint, where…"),
        ("/api/status", "sharpq status", "failures (5)"),
    ]

    func api(_ segments: [String], _ request: WebRequest) throws -> WebResponse {
        func limit(_ fallback: Int) throws -> Int {
            guard let text = request.value("limit") else { return fallback }
            guard let n = Int(text), n >= 0 else { throw WebError.badRequest("limit=\(text): expected a whole number (0 for all)") }
            return n
        }
        func offset() throws -> Int {
            guard let text = request.value("offset") else { return 0 }
            guard let n = Int(text), n >= 0 else { throw WebError.badRequest("offset=\(text): expected a whole number") }
            return n
        }
        func filters() throws -> [Filter] { try request.values("where").map { try Filter(parsing: $0) } }
        let metrics = request.values("metric").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

        let document: JSONValue
        switch (segments.first, segments.count) {
        case (nil, _):
            document = .orderedObject([
                ("endpoints", .array(Self.endpoints.map { e in
                    .orderedObject([("path", .string(e.path)), ("mirrors", .string(e.mirrors)), ("parameters", .string(e.parameters))])
                }))
            ])
        case ("top", 1):
            guard let metric = request.value("metric") else { throw WebError.badRequest("/api/top needs metric=NAME (as sharpq top --metric)") }
            let query = TopQuery(metric: metric, ascending: try request.flag("asc"), limit: try limit(20), offset: try offset(), filters: try filters())
            document = try pool.with { try $0.top(query) }.table().jsonDocument()
        case ("list", 1):
            let query = ListQuery(filters: try filters(), metrics: metrics, limit: try limit(50), offset: try offset())
            let onlyChanged = try request.flag("only_changed")
            document = try pool.with { try $0.listCheckpoints(query) }.table(onlyChanged: onlyChanged).jsonDocument()
        case ("runs", 1):
            let query = RunsQuery(filters: try filters(), metrics: metrics, limit: try limit(50), offset: try offset())
            document = try pool.with { try $0.runs(query) }.table().jsonDocument()
        case ("show", 2):
            document = try pool.with { try $0.checkpointDetail(prefix: segments[1]) }.json()
        case ("metrics", 1):
            let present = try pool.with { try $0.metricSummaries() }
            document = (try request.flag("all") ? present.addingCatalog() : present).table().jsonDocument()
        case ("compare", 1):
            let view = try CompareView(request)
            document = try comparison(view).longTable(rowKey: view.query.rows, colKey: view.query.cols).jsonDocument()
        case ("status", 1):
            let failures = try request.positiveInteger("failures", default: 5, maximum: 500)
            document = try pool.with { try $0.storeStatus(store: store, failures: failures) }.json()
        default:
            throw WebError.notFound("no API endpoint at \(request.path); /api lists them")
        }
        return .json(document.text + "\n")
    }

    static func apiError(_ status: Int, _ message: String) -> WebResponse {
        .json(JSONValue.orderedObject([("error", .string(message)), ("status", .integer(Int64(status)))]).text + "\n", status: status)
    }
}
