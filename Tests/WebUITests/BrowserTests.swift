import Foundation
import Glibc
import TestSupport
import Testing

/// The web UI in a real browser: a store made by `sharp train` and `sharpd --once`, served by
/// `sharpq serve`, each page loaded by headless Chromium (Debian's `chromium`, installed by
/// tools/setup --test) through the DevTools protocol (tools/browser.py). Checks that pages load
/// without console errors or failed loads, that the key elements are in the rendered DOM (table
/// rows, plots with their axes), and that sorting and filtering links work. Without Chromium the
/// test says so and passes, unless SHARP_TEST_REQUIRE_BROWSER=1 (tools/test sets it).
@Suite(.serialized)
struct BrowserTests {
    static let chromium = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    /// tools/browser.py in this repository.
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/browser.py").path

    /// A served store and a browser to look at it with.
    final class Session {
        let root: String
        let store: String
        let server: Process
        let base: String
        let browser: Process
        let toBrowser: FileHandle
        let fromBrowser: FileHandle
        var pending = Data()

        init(chromium: String, sharp: String, sharpd: String, sharpq: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString.prefix(8))").path
            store = root + "/store"
            try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
            for (optimizer, seed) in [("adam", "0"), ("sam", "0"), ("adam", "1")] {
                let trained = try BuiltExecutable.run(sharp, [
                    "train", "--model", "mlp", "--data", "bus-synth:count=48", "--image-size", "16", "--epochs", "3",
                    "--optimizer", optimizer, "--seed", seed, "--checkpoint-every", "1", "--store", store,
                ])
                #expect(trained.status == 0, "sharp train: \(trained.stderr)")
            }
            let scored = try BuiltExecutable.run(sharpd, [
                "--store", store, "--once", "--metric", "accuracy", "--metric", "hessian-eigen:k=1,max_steps=8",
                "--metric", "hessian-spectrum:runs=2,steps=10", "--metric", "hessian-spectrum:mode=per-batch,max_iter=10",
                "--samples", "32", "--batch-size", "8",
            ])
            #expect(scored.status == 0, "sharpd --once: \(scored.stderr)")
            // A study report: a figure that exists, and a second study whose figure is missing (the
            // console check must see that one fail).
            for (name, figure) in [("demo", "fig.svg"), ("broken", "missing.svg")] {
                let report = store + "/study/\(name)/report"
                try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
                try "# Study \(name)\n\n| optimizer | Δ |\n|---|---|\n| sam | +1 |\n\n![figure](\(figure))\n"
                    .write(toFile: report + "/report.md", atomically: true, encoding: .utf8)
            }
            try "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\"><circle r=\"8\" cx=\"10\" cy=\"10\"/></svg>\n"
                .write(toFile: store + "/study/demo/report/fig.svg", atomically: true, encoding: .utf8)

            server = Process()
            server.executableURL = URL(fileURLWithPath: sharpq)
            server.arguments = ["serve", "--store", store, "--port", "0"]
            let out = Pipe()
            server.standardOutput = out
            server.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try server.run()
            var line = ""
            while !line.contains("\n") {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                line += String(decoding: data, as: UTF8.self)
            }
            guard let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") }) else {
                throw BrowserError("sharpq serve printed no address: \(line)")
            }
            base = String(url.dropLast())  // without the trailing slash

            browser = Process()
            browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            browser.arguments = ["python3", BrowserTests.driver, "--chromium", chromium]
            let input = Pipe(), output = Pipe()
            browser.standardInput = input
            browser.standardOutput = output
            browser.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try browser.run()
            toBrowser = input.fileHandleForWriting
            fromBrowser = output.fileHandleForReading
        }

        deinit {
            try? toBrowser.close()
            browser.waitUntilExit()
            server.terminate()
            server.waitUntilExit()
            try? FileManager.default.removeItem(atPath: root)
        }

        /// The DOM Chromium rendered for `path`, and what went wrong while loading it (console
        /// errors, uncaught exceptions, loads that failed or answered 4xx/5xx).
        func load(_ path: String) throws -> (dom: String, errors: [String]) {
            try toBrowser.write(contentsOf: Data((base + path + "\n").utf8))
            while !pending.contains(UInt8(ascii: "\n")) {
                let chunk = fromBrowser.availableData
                if chunk.isEmpty { throw BrowserError("tools/browser.py ended before answering for \(path)") }
                pending.append(chunk)
            }
            let newline = pending.firstIndex(of: UInt8(ascii: "\n"))!
            let line = pending[pending.startIndex..<newline]
            pending = Data(pending[pending.index(after: newline)...])
            guard let answer = try JSONSerialization.jsonObject(with: line) as? [String: Any], let dom = answer["dom"] as? String,
                let errors = answer["errors"] as? [String]
            else { throw BrowserError("tools/browser.py answered \(String(decoding: line, as: UTF8.self).prefix(200))") }
            return (dom, errors)
        }

        /// Plain HTTP (a method the browser does not send by itself, or another Host header).
        func status(_ method: String, _ path: String, host: String? = nil) throws -> Int {
            let result = try BuiltExecutable.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method] + (host.map { ["-H", "Host: \($0)"] } ?? []) + [base + path])
            return Int(result.stdout) ?? -1
        }
    }

    struct BrowserError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func session() throws -> Session? {
        guard let chromium,
            let sharp = BuiltExecutable.path("sharp"), let sharpd = BuiltExecutable.path("sharpd"), let sharpq = BuiltExecutable.path("sharpq")
        else {
            if ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_BROWSER"] == "1" {
                Issue.record("Chromium or Sharp's executables are missing; tools/setup --test installs chromium")
            } else {
                print("BrowserTests: skipped (no chromium, or executables not built); tools/setup --test installs chromium")
            }
            return nil
        }
        return try Session(chromium: chromium, sharp: sharp, sharpd: sharpd, sharpq: sharpq)
    }

    /// The text of every `<td>` in column `column` of the table with `id` (tags stripped).
    static func column(_ dom: String, table id: String, _ column: Int) -> [String] {
        guard let start = dom.range(of: "<table id=\"\(id)\""),
            let body = dom.range(of: "<tbody>", range: start.upperBound..<dom.endIndex),
            let end = dom.range(of: "</tbody>", range: body.upperBound..<dom.endIndex)
        else { return [] }
        return dom[body.upperBound..<end.lowerBound].components(separatedBy: "</tr>").compactMap { row in
            let cells = row.components(separatedBy: "<td").dropFirst().map { cell in
                cell.components(separatedBy: "</td>")[0].replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
                    .drop { $0 != ">" }.dropFirst().trimmingCharacters(in: .whitespaces)
            }
            return column < cells.count ? cells[column] : nil
        }
    }

    @Test func pagesRenderInChromiumWithoutConsoleErrorsAndSortAndFilterLinksWork() throws {
        guard let s = try Self.session() else { return }
        // The detector sees a real console error: the broken study's figure is a 404.
        let broken = try s.load("/study/broken")
        #expect(!broken.errors.isEmpty, "a missing image should log a console error")

        let status = try s.load("/")
        #expect(status.errors.isEmpty, "\(status.errors)")
        #expect(status.dom.contains("id=\"jobs-done\""))

        let table = try s.load("/checkpoints")
        #expect(table.errors.isEmpty, "\(table.errors)")
        let runs = Self.column(table.dom, table: "checkpoints", 2)
        #expect(runs.count == 9, "three runs × three epochs: \(runs)")

        // Sorting: follow the trace heading's link... the browser's own DOM gives the href.
        guard let hrefRange = table.dom.range(of: #"href="(/checkpoints\?[^"]*sort=lambda_max[^"]*)""#, options: .regularExpression) else {
            Issue.record("no sort link for lambda_max in \(table.dom.prefix(2000))")
            return
        }
        let href = String(table.dom[hrefRange].dropFirst(6).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
        let sorted = try s.load(href)
        #expect(sorted.errors.isEmpty)
        let headings = sorted.dom.components(separatedBy: "<th>").dropFirst().map { $0.components(separatedBy: "</th>")[0] }
        guard let lambdaColumn = headings.firstIndex(where: { $0.contains(">lambda_max<") }) else {
            Issue.record("no lambda_max column after sorting")
            return
        }
        let values = Self.column(sorted.dom, table: "checkpoints", lambdaColumn).compactMap { Double($0.split(separator: " ").first ?? "") }
        #expect(values.count == 9 && values == values.sorted(by: >), "\(values)")

        // Filtering: the form is a GET form, so its result is this URL.
        let filtered = try s.load("/checkpoints?where=optimizer%3Dsam")
        #expect(filtered.errors.isEmpty)
        #expect(Self.column(filtered.dom, table: "checkpoints", 4) == ["sam", "sam", "sam"])

        // One checkpoint: metrics, the density and per-batch plots and the training curve, with axes.
        let first = Self.column(table.dom, table: "checkpoints", 0).first ?? ""
        let detail = try s.load("/checkpoint/\(first)")
        #expect(detail.errors.isEmpty, "\(detail.errors)")
        for id in ["density", "per-batch", "history"] {
            guard let figure = detail.dom.range(of: "<figure id=\"\(id)\">") else {
                Issue.record("checkpoint page lacks the \(id) plot")
                continue
            }
            let svg = detail.dom[figure.upperBound...].prefix(60_000)
            #expect(svg.hasPrefix("<svg") && svg.contains("<line") && svg.contains("<text"), "\(id) has no axes")
        }
        #expect(detail.dom.contains("id=\"manifest\""))

        for path in ["/compare?cols=model&metric=test_acc", "/studies", "/study/demo", "/api/top?metric=test_acc"] {
            let page = try s.load(path)
            #expect(page.errors.isEmpty, "\(path): \(page.errors)")
        }
        #expect(try s.load("/study/demo").dom.contains("<img src=\"/study/demo/files/fig.svg\""))

        // Read-only: nothing but GET and HEAD.
        #expect(try s.status("POST", "/checkpoints") == 405)
        #expect(try s.status("DELETE", "/api/top?metric=trace") == 405)
        #expect(try s.status("GET", "/study/demo/files/..%2F..%2Findex.sqlite") == 400)
        // HEAD: the headers of a GET, its Content-Length included, and no body.
        let head = try BuiltExecutable.run("/usr/bin/curl", ["-sI", s.base + "/checkpoints"])
        let get = try BuiltExecutable.run("/usr/bin/curl", ["-s", s.base + "/checkpoints"])
        #expect(head.stdout.lowercased().contains("content-length: \(get.stdout.utf8.count)\r\n"), "\(head.stdout)")
        // A name that is not loopback's (DNS rebinding) is not answered.
        #expect(try s.status("GET", "/api/status", host: "evil.example") == 421)
        #expect(try s.status("GET", "/api/status", host: "localhost:1234") == 200)
    }
}
