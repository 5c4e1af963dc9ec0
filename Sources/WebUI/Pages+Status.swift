import Foundation
import Index
import IndexPresentation
import IndexQueries

extension HTML {
    /// A `ResultTable` as HTML, cells as `sharpq`'s tables show them; `href` may link a cell
    /// (column name, the row's cells) and a `checkpoint` column links to its page by default.
    static func resultTable(_ table: ResultTable, id: String? = nil, href: ((String, [ResultCell]) -> String?)? = nil) -> String {
        let numeric = Set(table.columns.indices.filter { i in
            table.rows.contains { row in
                switch row[i] {
                case .integer, .number: return true
                case .display(_, let exact): return exact != nil
                default: return false
                }
            }
        })
        let text = table.rows.map { $0.map(ResultTable.humanText) }
        return Self.table(columns: table.columns, rows: text, numeric: numeric, id: id, cell: { r, c, shown in
            let column = table.columns[c], row = table.rows[r]
            let target = href?(column, row) ?? (column == "checkpoint" && shown != "-" ? "/checkpoint/\(URLText.encode(shown))" : nil)
            return target.map { link(shown, to: $0) } ?? escape(shown)
        })
    }
}

extension WebApp {
    /// `/`: is the daemon alive, the queue by state, running jobs, recent failures, quarantine.
    func statusPage(_ request: WebRequest) throws -> WebResponse {
        let failures = try request.positiveInteger("failures", default: 20, maximum: 500)
        let status = try pool.with { try $0.storeStatus(store: store, failures: failures) }
        let daemon: String
        switch status.daemon {
        case .running(let pid): daemon = "<b class=\"good\">running</b>" + (pid.map { " (pid \($0))" } ?? "")
        case .stopped(let stale): daemon = "<b class=\"bad\">stopped</b>" + (stale.map { " (stale pid file: \($0))" } ?? "")
        case .unknown(let reason): daemon = "<b>unknown</b> " + HTML.escape(reason)
        }
        func card(_ label: String, _ value: Int, id: String, href: String? = nil) -> String {
            let number = href.map { HTML.link(String(value), to: $0) } ?? String(value)
            return "<div class=\"card\" id=\"\(id)\"><b>\(number)</b>\(HTML.escape(label))</div>"
        }
        let jobs = status.jobs
        var body = "<p id=\"daemon\">sharpd on <code>\(HTML.escape(status.store))</code>: \(daemon)"
        body += " <span class=\"muted\">as of \(HTML.escape(ISOTime.format(status.checkedAt)))</span></p>\n"
        body += "<h2>Checkpoints</h2>\n<div class=\"cards\">"
        for state in ["ok", "missing", "quarantined"] {
            body += card(state, status.checkpoints[state] ?? 0, id: "checkpoints-\(state)",
                         href: "/checkpoints?" + URLText.query([("where", "status=\(state)")]))
        }
        body += card("files in quarantine/", status.quarantinedFiles, id: "quarantined-files")
        body += "</div>\n<h2>Jobs</h2>\n<div class=\"cards\" id=\"queue\">"
        body += card("runnable", jobs.runnable, id: "jobs-runnable") + card("waiting to retry", jobs.waitingForRetry, id: "jobs-retry")
        body += card("waiting for their file", jobs.waitingForFile, id: "jobs-file") + card("running", jobs.running, id: "jobs-running")
        body += card("done", jobs.done, id: "jobs-done") + card("failed", jobs.failed, id: "jobs-failed")
        body += "</div>\n"
        if let next = jobs.nextRetryAt { body += "<p class=\"muted\">next retry at \(HTML.escape(ISOTime.format(next)))</p>\n" }
        if !status.running.isEmpty { body += "<h2>Running</h2>\n" + HTML.resultTable(status.runningTable(), id: "running") }
        body += "<h2>Recent failures</h2>\n"
        body += status.recentFailures.isEmpty
            ? "<p class=\"muted\" id=\"failures\">none</p>\n" : HTML.resultTable(status.failuresTable(), id: "failures")
        if !status.daemons.isEmpty { body += "<h2>Daemons on this index</h2>\n" + HTML.resultTable(status.daemonsTable(), id: "daemons") }
        return .html(HTML.page(title: "Store status", active: "Status", body: body))
    }
}
