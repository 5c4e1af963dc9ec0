import Foundation
import Index
import IndexQueries

/// One HTTP request as the pages see it: the path exactly as sent (still percent-encoded) and the
/// decoded query parameters in order (a name may repeat: `where=a&where=b`).
public struct WebRequest: Sendable {
    /// The path, percent-encoded as received (`/checkpoint/3fa9`).
    public var path: String
    /// Decoded query parameters, in order.
    public var query: [(name: String, value: String)]

    /// A request from its path and raw query string (`a=1&b=%3D`); nil query for none.
    public init(path: String, rawQuery: String?) {
        self.path = path
        self.query = (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = URLText.decode(parts[0]) else { return nil }
            return (name, parts.count > 1 ? URLText.decode(parts[1]) ?? "" : "")
        }
    }

    /// A request from a target such as `/checkpoints?sort=trace`.
    public init(target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(path: String(parts[0]), rawQuery: parts.count > 1 ? String(parts[1]) : nil)
    }

    /// Every value of a parameter, empty ones dropped.
    func values(_ name: String) -> [String] { query.filter { $0.name == name && !$0.value.isEmpty }.map(\.value) }

    /// The first non-empty value of a parameter.
    func value(_ name: String) -> String? { values(name).first }

    /// A positive integer parameter, or `fallback` when absent; an error when it is not one.
    func positiveInteger(_ name: String, default fallback: Int, maximum: Int = .max) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let n = Int(text), n >= 1 else { throw WebError.badRequest("\(name)=\(text): expected a positive whole number") }
        return min(n, maximum)
    }
}

/// An answer: status, content type and body bytes.
public struct WebResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// An answer.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// An HTML page.
    static func html(_ text: String, status: Int = 200) -> WebResponse {
        WebResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    /// A JSON document.
    static func json(_ text: String, status: Int = 200) -> WebResponse {
        WebResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(text.utf8))
    }

    /// The body as text (tests).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request gets no page: the status and a one-line reason shown to the user.
enum WebError: Error {
    case badRequest(String)
    case notFound(String)
    case failed(String)

    var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .failed: return 500
        }
    }

    var message: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .failed(let m): return m
        }
    }
}

/// The web UI: a read-only view of one store's index (docs/web.md). Every page and API answer is a
/// function of the request alone (nothing is remembered between requests except open index
/// connections), so a URL fully describes what it shows. Nothing here writes to the index or the
/// store: the index is opened read-only, and files are only read from the store's study reports.
public final class WebApp: Sendable {
    /// The store directory (studies, checkpoints, the daemon's lock).
    public let store: String
    let pool: IndexPool
    let archives = ArchiveCache()

    /// A web UI over `store`'s index, or over `index` when given (a PostgreSQL URL or a SQLite path).
    public init(store: String, index: IndexLocation) {
        self.store = store
        self.pool = IndexPool(location: index)
    }

    /// Answers one GET request.
    public func respond(_ request: WebRequest) -> WebResponse {
        let isAPI = request.path == "/api" || request.path.hasPrefix("/api/")
        do {
            guard let segments = Self.segments(request.path) else {
                throw WebError.badRequest("the path is not valid percent-encoded UTF-8")
            }
            return try route(segments, request)
        } catch let error as WebError {
            return isAPI ? Self.apiError(error.status, error.message) : Self.errorPage(error.status, error.message)
        } catch let error as IndexError {
            let status = error.isUsageError ? 400 : error.isNotFound ? 404 : 500
            return isAPI ? Self.apiError(status, error.message) : Self.errorPage(status, error.message)
        } catch {
            return isAPI ? Self.apiError(500, "\(error)") : Self.errorPage(500, "\(error)")
        }
    }

    private func route(_ segments: [String], _ request: WebRequest) throws -> WebResponse {
        switch segments.first {
        case nil: return try statusPage(request)
        case "checkpoints" where segments.count == 1: return try checkpointsPage(request)
        case "checkpoint" where segments.count == 2: return try checkpointPage(prefix: segments[1], request)
        case "compare" where segments.count == 1: return try comparePage(request)
        case "studies" where segments.count == 1: return try studiesPage()
        case "study" where segments.count == 2: return try studyPage(name: segments[1])
        case "study" where segments.count >= 4 && segments[2] == "files":
            return try studyFile(name: segments[1], file: Array(segments[3...]))
        case "api": return try api(Array(segments.dropFirst()), request)
        case "favicon.ico" where segments.count == 1:
            // Browsers ask for it on every page that names no icon (the JSON answers).
            return WebResponse(status: 200, contentType: "image/svg+xml", body: Array(Self.icon.utf8))
        default: throw WebError.notFound("no page at \(request.path)")
        }
    }

    /// The decoded, non-empty path segments; nil when an escape is not UTF-8.
    static func segments(_ path: String) -> [String]? {
        var out: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = part.removingPercentEncoding else { return nil }
            out.append(decoded)
        }
        return out
    }

    /// A white "S" on the header's colour.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#22313f"/>\
        <text x="8" y="12.5" font-size="12" font-family="sans-serif" font-weight="bold" fill="#fff" text-anchor="middle">S</text></svg>
        """

    static func errorPage(_ status: Int, _ message: String) -> WebResponse {
        let title = status == 404 ? "Not found" : status == 400 ? "Bad request" : "Error"
        return .html(
            HTML.page(title: title, active: "", body: "<p class=\"bad\" id=\"error\">\(HTML.escape(message))</p>"), status: status)
    }
}

extension IndexError {
    /// True for "no such checkpoint" (404 rather than 400).
    var isNotFound: Bool { kind == .notFound || kind == .noIndex }
}
