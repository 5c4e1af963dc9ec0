import Foundation

/// The study reports under `<store>/study/<name>/report/` (Sources/Study/StudyLayout.swift) and
/// the files they link to. File serving is the UI's one way to the file system, so it is narrow:
/// a study name and a file name, each one plain path component, a file with a known extension,
/// and a real path (symlinks resolved) that stays inside that report folder.
extension WebApp {
    /// File types a report folder may serve.
    static let servedTypes = [
        "svg": "image/svg+xml", "png": "image/png", "csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "json": "application/json; charset=utf-8",
    ]

    var studiesDirectory: String { URL(fileURLWithPath: store).appendingPathComponent("study").path }

    /// Study names with a report, sorted.
    func studiesWithReports() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: studiesDirectory)) ?? []
        return names.filter { name in
            !name.hasPrefix(".") && (try? studyFilePath(name: name, file: ["report.md"])) != nil
        }.sorted()
    }

    /// `/studies`: every study in the store that has a report.
    func studiesPage() throws -> WebResponse {
        let names = studiesWithReports()
        let body = names.isEmpty
            ? "<p class=\"muted\" id=\"studies\">No study report in this store yet: <code>sharp study --store DIR</code> writes one.</p>"
            : "<ul id=\"studies\">" + names.map { "<li>" + HTML.link($0, to: "/study/\(URLText.encode($0))") + "</li>" }.joined() + "</ul>"
        return .html(HTML.page(title: "Studies", active: "Studies", body: body))
    }

    /// `/study/<name>`: the report rendered to HTML, its figures from the same folder.
    func studyPage(name: String) throws -> WebResponse {
        guard let path = try? studyFilePath(name: name, file: ["report.md"]) else {
            throw WebError.notFound("no study named \(name) with a report in this store (/studies lists them)")
        }
        guard let markdown = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WebError.failed("cannot read the report of study \(name)")
        }
        let base = "/study/\(URLText.encode(name))/files/"
        var body = "<p class=\"muted\">\(HTML.link("report.md", to: base + "report.md"))"
        if (try? studyFilePath(name: name, file: ["results.csv"])) != nil { body += " · " + HTML.link("results.csv", to: base + "results.csv") }
        body += "</p>\n<div class=\"report\" id=\"report\">\n" + MarkdownHTML.render(markdown, fileBase: base) + "</div>\n"
        return .html(HTML.page(title: "Study \(name)", active: "Studies", body: body))
    }

    /// `/study/<name>/files/<file>`: one file of the report folder.
    func studyFile(name: String, file: [String]) throws -> WebResponse {
        let path = try studyFilePath(name: name, file: file)
        let type = Self.servedTypes[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
        guard let data = FileManager.default.contents(atPath: path) else { throw WebError.notFound("cannot read \(file.joined(separator: "/"))") }
        return WebResponse(status: 200, contentType: type, body: Array(data))
    }

    /// The real path of a report file, or an error: refused are names that are not one plain path
    /// component (`..`, `.`, hidden, with a `/` or NUL, however they were encoded), other file
    /// types, and paths whose real location is not inside the study's report folder.
    func studyFilePath(name: String, file: [String]) throws -> String {
        func plain(_ component: String) -> Bool {
            !component.isEmpty && !component.hasPrefix(".") && !component.contains("/") && !component.contains("\0")
                && !component.contains("\\")
        }
        guard plain(name), file.count == 1, let leaf = file.first, plain(leaf) else {
            throw WebError.badRequest("only files directly inside a study's report folder are served")
        }
        guard Self.servedTypes[(leaf as NSString).pathExtension.lowercased()] != nil else {
            throw WebError.notFound("\(leaf): only \(Self.servedTypes.keys.sorted().joined(separator: ", ")) files are served")
        }
        let folder = URL(fileURLWithPath: studiesDirectory).appendingPathComponent(name).appendingPathComponent("report")
        guard let realFolder = Self.realPath(folder.path), let real = Self.realPath(folder.appendingPathComponent(leaf).path) else {
            throw WebError.notFound("no file \(leaf) in the report of study \(name)")
        }
        let studies = Self.realPath(studiesDirectory) ?? studiesDirectory
        guard realFolder.hasPrefix(studies + "/"), real.hasPrefix(realFolder + "/") else {
            throw WebError.badRequest("\(leaf) leads out of the store; it is not served")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw WebError.notFound("no file \(leaf) in the report of study \(name)")
        }
        return real
    }

    /// The path with every symlink resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
