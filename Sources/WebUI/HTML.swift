import Foundation

/// HTML text built by hand: every string from the index, a file or a URL goes through `escape`
/// (or `attribute`) before it reaches a page, so a run id such as `<script>` renders as text.
enum HTML {
    /// Text content: `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A link with escaped text and target.
    static func link(_ text: String, to href: String, class cls: String? = nil) -> String {
        let classAttribute = cls.map { " class=\"\(escape($0))\"" } ?? ""
        return "<a href=\"\(escape(href))\"\(classAttribute)>\(escape(text))</a>"
    }

    /// A whole page: the shared head, the navigation bar, then `body` (already HTML).
    static func page(title: String, active: String, body: String) -> String {
        let nav = [("Status", "/"), ("Checkpoints", "/checkpoints"), ("Compare", "/compare"), ("Studies", "/studies"), ("API", "/api")]
            .map { name, href in
                "<a href=\"\(href)\"\(name == active ? " class=\"active\"" : "")>\(name)</a>"
            }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Sharp</title>
            <link rel="icon" href="data:,">
            <style>\(stylesheet)</style>
            </head>
            <body>
            <header><span class="brand">Sharp</span>
            <nav>\(nav)</nav></header>
            <main>
            <h1>\(escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// One style sheet for every page (inline: one request per page, nothing to serve).
    static let stylesheet = """
        body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
        header{display:flex;align-items:center;gap:2em;background:#22313f;color:#fff;padding:.6em 1.5em}
        header .brand{font-weight:700;font-size:1.2em}
        nav a{color:#cfd8e3;margin-right:1.2em;text-decoration:none}nav a.active,nav a:hover{color:#fff;text-decoration:underline}
        main{padding:1em 1.5em 3em}h1{font-size:1.4em;margin:.4em 0 .8em}h2{font-size:1.15em;margin-top:1.6em}
        table{border-collapse:collapse;background:#fff;font-size:.88em;margin:.5em 0}
        th,td{border:1px solid #d8dde3;padding:.25em .6em;text-align:left;vertical-align:top}
        th{background:#eef2f6;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
        th a{color:inherit}th a.sorted{font-weight:800}#checkpoints td{white-space:nowrap}.scroll{overflow-x:auto}
        .muted{color:#6b7785}.bad{color:#b3261e}.good{color:#1e7d32}
        .cards{display:flex;flex-wrap:wrap;gap:1em}.card{background:#fff;border:1px solid #d8dde3;padding:.6em 1em;min-width:9em}
        .card b{display:block;font-size:1.5em}
        form.filter{background:#fff;border:1px solid #d8dde3;padding:.6em 1em;display:inline-block}
        form.filter input[type=text]{width:22em}
        .pager a,.pager span{margin-right:1em}
        pre{background:#fff;border:1px solid #d8dde3;padding:.6em;overflow:auto;font-size:.85em;max-height:40em}
        figure{margin:1em 0;background:#fff;border:1px solid #d8dde3;display:inline-block;padding:.3em}
        figure svg,figure img{max-width:100%;height:auto}
        .report img{max-width:100%}.report table{font-size:.85em}
        """

    /// A result table as HTML. `link` may turn a cell into a link (by column name and row index);
    /// `header` may replace a column's heading (already HTML).
    static func table(
        columns: [String], rows: [[String]], numeric: Set<Int> = [], id: String? = nil,
        header: (Int, String) -> String = { escape($1) }, cell: (Int, Int, String) -> String = { escape($2) }
    ) -> String {
        var out = "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")>\n<thead><tr>"
        for (i, column) in columns.enumerated() { out += "<th>\(header(i, column))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for (r, row) in rows.enumerated() {
            out += "<tr>"
            for (c, text) in row.enumerated() {
                out += numeric.contains(c) ? "<td class=\"num\">" : "<td>"
                out += cell(r, c, text) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// A definition table of name/value pairs (values already HTML).
    static func pairs(_ rows: [(String, String)]) -> String {
        "<table class=\"pairs\"><tbody>\n"
            + rows.map { "<tr><th>\(escape($0.0))</th><td>\($0.1)</td></tr>" }.joined(separator: "\n")
            + "\n</tbody></table>\n"
    }
}

/// Percent-encoding for the parts of the links the pages build.
enum URLText {
    /// Characters left as they are in a query value (the URL syntax's unreserved ones).
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// A query component or path segment, percent-encoded.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `a=1&b=2` from ordered pairs (empty values kept out).
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.filter { !$0.1.isEmpty }.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Decodes a query component: `+` is a space, `%XX` a byte; nil when the escapes are not UTF-8.
    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
