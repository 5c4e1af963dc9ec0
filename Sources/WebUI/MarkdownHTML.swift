import Foundation

/// The Markdown of Sharp's own reports (Sources/Study/StudyReport.swift) as HTML: headings,
/// paragraphs, lists, pipe tables, fenced code, block quotes, images, links, `code`, **bold** and
/// *italic*. Written here rather than taken from a package because every character of a report
/// must come out escaped: report text holds run ids and study names a user chose, and the
/// Markdown packages at hand pass inline HTML through unchanged (a `<script>` would run).
/// Relative links and images point into the report's folder (`fileBase`); only http(s) and
/// relative targets become links.
enum MarkdownHTML {
    static func render(_ markdown: String, fileBase: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: [String] = []
        var table: [[String]] = []
        var code: [String]?
        var quote: [String] = []

        func flush() {
            if !paragraph.isEmpty { out += "<p>" + inline(paragraph.joined(separator: " "), fileBase) + "</p>\n" }
            if !list.isEmpty { out += "<ul>\n" + list.map { "<li>" + inline($0, fileBase) + "</li>\n" }.joined() + "</ul>\n" }
            if !quote.isEmpty { out += "<blockquote><p>" + inline(quote.joined(separator: " "), fileBase) + "</p></blockquote>\n" }
            if !table.isEmpty { out += renderTable(table, fileBase) }
            paragraph = []
            list = []
            table = []
            quote = []
        }

        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if var block = code {
                if line.hasPrefix("```") {
                    out += "<pre><code>" + HTML.escape(block.joined(separator: "\n")) + "</code></pre>\n"
                    code = nil
                } else {
                    block.append(raw)
                    code = block
                }
                continue
            }
            if line.hasPrefix("```") {
                flush()
                code = []
            } else if line.isEmpty {
                flush()
            } else if let level = headingLevel(line) {
                flush()
                let text = line.dropFirst(level).trimmingCharacters(in: .whitespaces)
                out += "<h\(level + 1)>" + inline(text, fileBase) + "</h\(level + 1)>\n"
            } else if line.hasPrefix("|") {
                if table.isEmpty { flush() }
                table.append(cells(line))
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                if list.isEmpty { flush() }
                list.append(String(line.dropFirst(2)))
            } else if line.hasPrefix(">") {
                if quote.isEmpty { flush() }
                quote.append(line.dropFirst().trimmingCharacters(in: .whitespaces))
            } else if line == "---" || line == "***" {
                flush()
                out += "<hr>\n"
            } else if !list.isEmpty, raw.hasPrefix("  ") {
                list[list.count - 1] += " " + line  // a list item's continuation line
            } else {
                if !list.isEmpty || !table.isEmpty || !quote.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        if let block = code { out += "<pre><code>" + HTML.escape(block.joined(separator: "\n")) + "</code></pre>\n" }
        flush()
        return out
    }

    /// 1–6 for `# ` … `###### `, else nil.
    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// The cells of a `| a | b |` row.
    static func cells(_ line: String) -> [String] {
        var body = Substring(line)
        if body.hasPrefix("|") { body = body.dropFirst() }
        if body.hasSuffix("|") { body = body.dropLast() }
        return body.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func renderTable(_ rows: [[String]], _ fileBase: String) -> String {
        let isRule = { (row: [String]) in row.allSatisfy { cell in !cell.isEmpty && cell.allSatisfy { "-:".contains($0) } } }
        var header: [String]?
        var body = rows
        if rows.count >= 2, isRule(rows[1]) {
            header = rows[0]
            body = Array(rows.dropFirst(2))
        }
        let numeric = { (cell: String) in Double(cell.replacingOccurrences(of: "−", with: "-").filter { !"%×+ ".contains($0) }) != nil }
        var out = "<table>\n"
        if let header { out += "<thead><tr>" + header.map { "<th>" + inline($0, fileBase) + "</th>" }.joined() + "</tr></thead>\n" }
        out += "<tbody>\n"
        for row in body {
            out += "<tr>" + row.map { (numeric($0) ? "<td class=\"num\">" : "<td>") + inline($0, fileBase) + "</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// Inline markup over escaped text: images, links, code spans, bold and italic.
    static func inline(_ text: String, _ fileBase: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let c = rest.first {
            if c == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                out += "<code>" + HTML.escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "</code>"
                rest = rest[rest.index(after: end)...]
            } else if c == "!" || c == "[", let (label, target, after) = linkParts(c == "!" ? rest.dropFirst() : rest) {
                if let href = safeTarget(target, fileBase) {
                    out += c == "!"
                        ? "<img src=\"\(HTML.escape(href))\" alt=\"\(HTML.escape(label))\">"
                        : "<a href=\"\(HTML.escape(href))\">" + inline(label, fileBase) + "</a>"
                } else {
                    out += HTML.escape(label)
                }
                rest = after
            } else if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**") {
                out += "<strong>" + inline(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]), fileBase) + "</strong>"
                rest = rest[end.upperBound...]
            } else if c == "*", rest.dropFirst().first.map({ !$0.isWhitespace }) == true,
                let end = rest.dropFirst().firstIndex(of: "*")
            {
                out += "<em>" + inline(String(rest[rest.index(after: rest.startIndex)..<end]), fileBase) + "</em>"
                rest = rest[rest.index(after: end)...]
            } else {
                out += HTML.escape(String(c))
                rest = rest.dropFirst()
            }
        }
        return out
    }

    /// `[label](target)` at the start of `text`: the label, the target and what follows.
    static func linkParts(_ text: Substring) -> (String, String, Substring)? {
        guard text.first == "[", let close = text.firstIndex(of: "]") else { return nil }
        let afterLabel = text[text.index(after: close)...]
        guard afterLabel.first == "(" else { return nil }
        // The target ends at the parenthesis that closes the opening one (`…/Hessian_(matrix)`).
        var depth = 0
        var closing: Substring.Index?
        for i in afterLabel.indices {
            if afterLabel[i] == "(" { depth += 1 }
            if afterLabel[i] == ")" {
                depth -= 1
                if depth == 0 {
                    closing = i
                    break
                }
            }
        }
        guard let end = closing else { return nil }
        let label = String(text[text.index(after: text.startIndex)..<close])
        let target = String(afterLabel[afterLabel.index(after: afterLabel.startIndex)..<end]).trimmingCharacters(in: .whitespaces)
        return (label, target, afterLabel[afterLabel.index(after: end)...])
    }

    /// http(s) targets as they are, in-page anchors, and plain relative file names inside the
    /// report folder; anything else (other schemes such as `javascript:`, absolute or parent
    /// paths) is not linked.
    static func safeTarget(_ target: String, _ fileBase: String) -> String? {
        let lower = target.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("#") { return target }
        guard !target.isEmpty, !target.contains(":"), !target.hasPrefix("/"), !target.hasPrefix("."), !target.contains("/") else {
            return nil
        }
        return fileBase + URLText.encode(target)
    }
}
