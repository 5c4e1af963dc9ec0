import Foundation
import Index
import IndexQueries
import Testing

@testable import WebUI

/// The pages and API as functions of a request: what they show, and what they refuse.
struct WebAppTests {
    @Test func everyPageAnswersWithHTMLThatHasItsKeyElements() throws {
        let f = try WebFixture()
        let pages: [(String, [String])] = [
            ("/", ["id=\"daemon\"", "id=\"jobs-failed\"", "id=\"failures\""]),
            ("/checkpoints", ["<table id=\"checkpoints\"", "id=\"pager\"", "id=\"filter\""]),
            ("/checkpoint/\(f.shas[0].prefix(8))", ["id=\"metrics\"", "<figure id=\"density\"><svg", "<figure id=\"per-batch\"><svg"]),
            ("/compare?rows=optimizer&metric=test_acc", ["<table id=\"comparison\""]),
            ("/studies", ["href=\"/study/demo\""]),
            ("/study/demo", ["id=\"report\"", "<img src=\"/study/demo/files/fig.svg\""]),
        ]
        for (path, needles) in pages {
            let response = f.get(path)
            #expect(response.status == 200, "\(path): \(response.text)")
            #expect(response.contentType.hasPrefix("text/html"))
            for needle in needles { #expect(response.text.contains(needle), "\(path) lacks \(needle)") }
        }
    }

    @Test func theTableSortsByAMetricWithNaNAndMissingLastAndPaginates() throws {
        let f = try WebFixture()
        // Traces by checkpoint: 5, 12, NaN, missing, 0.5, 7, 3 → largest first 1, 5, 0, 6, 4, then NaN (2), missing (3).
        var seen: [String] = []
        for page in 1...4 {
            let text = f.get("/checkpoints?sort=trace&per_page=2&page=\(page)").text
            seen += f.shas.indices.filter { text.contains("href=\"/checkpoint/\(f.shas[$0])\"") }.map { f.shas[$0] }
                .sorted { text.range(of: $0)!.lowerBound < text.range(of: $1)!.lowerBound }
        }
        #expect(seen == [1, 5, 0, 6, 4, 2, 3].map { f.shas[$0] })
        let ascending = f.get("/checkpoints?sort=trace&order=asc&per_page=50").text
        let positions = [4, 6, 0, 5, 1, 2, 3].map { ascending.range(of: "/checkpoint/\(f.shas[$0])")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(f.get("/checkpoints?sort=trace&per_page=2&page=4").text.contains("rows 7–7 of 7"))
    }

    @Test func filtersUseTheWhereSyntaxAndSortLinksKeepThem() throws {
        let f = try WebFixture()
        let page = f.get("/checkpoints?where=model%3Dvgg-mini&sort=trace")
        #expect(page.status == 200)
        for i in f.shas.indices { #expect(page.text.contains("/checkpoint/\(f.shas[i])") == (i % 2 == 1)) }
        // The column heading links sort by that metric and keep the filter.
        #expect(page.text.contains("href=\"/checkpoints?where=model%3Dvgg-mini&amp;sort=test_acc&amp;order=desc\""))
        let bad = f.get("/checkpoints?where=nosuchfield%3D1")
        #expect(bad.status == 400)
        #expect(bad.text.contains("nosuchfield"))
    }

    @Test func userStringsAreEscapedEverywhere() throws {
        let f = try WebFixture()
        for path in ["/", "/checkpoints", "/checkpoint/\(f.shas[1])", "/study/demo", "/checkpoints?where=run_id%3D%3Cscript%3E"] {
            let text = f.get(path).text
            #expect(!text.contains("<script"), "\(path) has a raw <script")
            #expect(!text.contains("<img src=x"), "\(path) has a raw <img")
            #expect(!text.contains("href=\"javascript:"), "\(path) links javascript:")
        }
        #expect(f.get("/checkpoints").text.contains("&lt;script&gt;alert(&#39;run&#39;)&lt;/script&gt;"))
        #expect(f.get("/").text.contains("bad &lt;img src=x onerror=alert(1)&gt; input"))
        let report = f.get("/study/demo").text
        #expect(report.contains("<code>code &lt;b&gt;</code>") && report.contains("<strong>bold</strong>"))
        // Error pages echo the path, escaped.
        #expect(!f.get("/%3Cscript%3Ealert(1)%3C%2Fscript%3E").text.contains("<script"))
    }

    @Test func fileServingRefusesTraversalEncodedTraversalAbsolutePathsAndSymlinksOut() throws {
        let f = try WebFixture()
        #expect(f.get("/study/demo/files/fig.svg").status == 200)
        #expect(f.get("/study/demo/files/fig.svg").contentType == "image/svg+xml")
        let attempts = [
            "/study/demo/files/../secret.svg", "/study/demo/files/..%2Fsecret.svg", "/study/demo/files/%2e%2e/secret.svg",
            "/study/demo/files/%2E%2E%2Fsecret.svg", "/study/%2e%2e/files/index.sqlite", "/study/demo/files/%2Fetc%2Fpasswd",
            "/study/demo/files//etc/passwd", "/study/demo/files/link.svg", "/study/demo/files/..%5Csecret.svg",
            "/study/demo/files/report.md%00.svg", "/study/..%2F..%2F/files/secret.svg", "/study/demo/files/../../../../etc/passwd",
        ]
        for path in attempts {
            let response = f.get(path)
            #expect(response.status == 400 || response.status == 404, "\(path) answered \(response.status)")
            #expect(!response.text.contains(WebFixture.secret) && !response.text.contains("root:"), "\(path) leaked a file")
        }
    }

    @Test func queriesBindTheirValuesSoSQLInAFilterIsOnlyText() throws {
        let f = try WebFixture()
        let injection = URLText.encode("run_id=x' OR '1'='1") + "&where=" + URLText.encode("model=mlp'; DROP TABLE checkpoints; --")
        let response = f.get("/checkpoints?where=\(injection)")
        #expect(response.status == 200)
        #expect(response.text.contains("rows 0–0 of 0"))
        #expect(f.get("/checkpoints").text.contains("of 7"))
    }

    @Test func theAPIAnswersWithSharpqsJSONDocuments() throws {
        let f = try WebFixture()
        let reader = try IndexStore(store: f.store, mode: .readOnly)
        let top = f.get("/api/top?metric=trace&limit=3&where=model%3Dvgg-mini")
        #expect(top.contentType.hasPrefix("application/json"))
        let expected = try reader.top(TopQuery(metric: "trace", limit: 3, filters: [Filter(parsing: "model=vgg-mini")]))
        #expect(top.text == expected.table().jsonDocument().text + "\n")
        #expect(f.get("/api/show/\(f.shas[0].prefix(6))").text.contains("\"sha256\":\"\(f.shas[0])\""))
        #expect(f.get("/api/status").text.contains("\"failed\":1"))
        let missing = f.get("/api/top")
        #expect(missing.status == 400 && missing.text.hasPrefix("{\"error\":"))
        #expect(f.get("/api/show/ffff").status == 404)
        #expect(f.get("/api/nothing").status == 404)
    }

    @Test func badParametersAreOneLineErrorsNotCrashes() throws {
        let f = try WebFixture()
        for path in ["/checkpoints?page=0", "/checkpoints?per_page=x", "/checkpoints?order=sideways", "/checkpoints?sort=nosuchmetric",
                     "/api/top?metric=trace&limit=-1", "/api/compare?every_checkpoint=perhaps", "/checkpoint/zz",
                     "/checkpoints?page=9223372036854775807&per_page=500", "/api/list?offset=9223372036854775807"] {
            let response = f.get(path)
            #expect(response.status == 400 || response.status == 404 || (response.status == 200 && !response.text.contains("/checkpoint/")),
                    "\(path) answered \(response.status)")
        }
        #expect(f.get("/nowhere").status == 404)
    }

    @Test func loopbackIsRecognisedSoOtherBindsNeedConsent() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost"] { #expect(WebServer.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "192.168.1.4", "::", "127.evil.com", "localhost.evil.com", "128.0.0.1", ""] {
            #expect(!WebServer.isLoopback(host), "\(host)")
        }
        for authority in ["localhost:8080", "127.0.0.1", "127.0.0.1:80", "[::1]:8080", "LOCALHOST"] {
            #expect(WebServer.isLoopbackAuthority(authority), "\(authority)")
        }
        for authority in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "[::2]:80", ""] {
            #expect(!WebServer.isLoopbackAuthority(authority), "\(authority)")
        }
    }

    @Test func theTablesJSONLinkAsksTheAPIForTheSameRows() throws {
        let f = try WebFixture()
        let page = f.get("/checkpoints?sort=trace&order=asc&per_page=2&page=2&where=model%3Dmlp").text
        let link = try #require(page.range(of: #"href="(/api/top\?[^"]*)">JSON"#, options: .regularExpression))
        let href = String(page[link].dropFirst(6).dropLast(6)).replacingOccurrences(of: "&amp;", with: "&")
        #expect(href == "/api/top?where=model%3Dmlp&metric=trace&asc=true&limit=2&offset=2")
        let api = f.get(href)
        #expect(api.status == 200)
        for sha in f.shas where page.contains("/checkpoint/\(sha)") { #expect(api.text.contains(String(sha.prefix(12)))) }
        #expect(f.get("/checkpoints").text.contains("href=\"/api/list?limit=50\""))
    }

    @Test func markdownTablesHeadingsAndUnsafeLinks() {
        let html = MarkdownHTML.render("## T & U\n\n| a | b |\n|---|---:|\n| x | 1.5 |\n\n[ok](https://e.org) [no](javascript:x) [up](../x.md)\n", fileBase: "/f/")
        #expect(html.contains("<h3>T &amp; U</h3>"))
        #expect(html.contains("<thead><tr><th>a</th><th>b</th></tr></thead>") && html.contains("<td class=\"num\">1.5</td>"))
        #expect(html.contains("<a href=\"https://e.org\">ok</a>") && html.contains(" no ") && html.contains(" up"))
        #expect(!html.contains("javascript"))
        let parens = MarkdownHTML.render("See [wiki](https://e.org/Hessian_(matrix)) now. [x](javascript:alert(1)) end\n", fileBase: "/f/")
        #expect(parens.contains("<a href=\"https://e.org/Hessian_(matrix)\">wiki</a> now.") && parens.contains(" x end"), "\(parens)")
    }

    @Test func anEmptyResultAndAPagePastTheEndSaySo() throws {
        let f = try WebFixture()
        #expect(f.get("/checkpoints?where=seed%3D0&where=seed%3D1").text.contains("No checkpoint matches these conditions"))
        let past = f.get("/checkpoints?page=99").text
        #expect(past.contains("Page 99 is past the last page") && past.contains("href=\"/checkpoints\">page 1</a>"))
        #expect(f.get("/study/nosuch").status == 404)
    }
}
