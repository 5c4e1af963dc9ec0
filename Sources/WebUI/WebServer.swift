import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves a `WebApp` over HTTP/1.1 with Hummingbird. Only GET and HEAD are answered (405
/// otherwise: nothing can be changed through the UI). Every answer carries a Content-Security-
/// Policy that allows no script at all, so even a file that slipped through would not run one.
public struct WebServer: Sendable {
    /// The pages.
    public let app: WebApp
    /// Interface to bind (`127.0.0.1` unless the user chose another).
    public let host: String
    /// Port (0: any free one; the one chosen is passed to `onListening`).
    public let port: Int
    /// Answers for paths the pages do not have (sharpd's /metrics), asked first; nil: not mine.
    public let extra: (@Sendable (WebRequest) -> WebResponse?)?

    /// A server for `app` on `host:port`.
    public init(app: WebApp, host: String, port: Int, extra: (@Sendable (WebRequest) -> WebResponse?)? = nil) {
        self.app = app
        self.host = host
        self.port = port
        self.extra = extra
    }

    /// The headers every response carries.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (.cacheControl, "no-store"),
    ]

    /// Runs until SIGINT or SIGTERM (with `handleSignals`; otherwise until the task is cancelled,
    /// for a program that handles its signals itself); `onListening` gets the bound port once the
    /// socket is open.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let app = self.app, extra = self.extra
        let checkHost = Self.isLoopback(host)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            // Bound to loopback, answer only requests addressed to loopback: a web page elsewhere
            // cannot point a name of its own at 127.0.0.1 and read the index (DNS rebinding).
            if checkHost, !Self.isLoopbackAuthority(request.head.authority ?? "") {
                return Self.response(WebResponse.html("this server answers requests for localhost only\n", status: 421))
            }
            guard request.method == .get || request.method == .head else {
                var response = Self.response(WebResponse.html("only GET and HEAD: the web UI is read-only\n", status: 405))
                response.headers[.allow] = "GET, HEAD"
                return response
            }
            let webRequest = WebRequest(path: request.uri.path, rawQuery: request.uri.query)
            // Index queries block: run them off Swift's cooperative threads.
            let answer = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: extra?(webRequest) ?? app.respond(webRequest)) }
            }
            var response = Self.response(answer)
            if request.method == .head {
                // No body, but the length a GET would have (setting the body resets the header).
                let length = response.headers[.contentLength]
                response.body = ResponseBody()
                response.headers[.contentLength] = length
            }
            return response
        }
        var logger = Logger(label: "sharpq.serve")
        logger.logLevel = .warning
        let application = Application(
            responder: responder, configuration: .init(address: .hostname(host, port: port), serverName: "sharp"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
        if handleSignals {
            try await application.runService()
        } else {
            try await application.run()
        }
    }

    static func response(_ answer: WebResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        headers[.contentLength] = String(answer.body.count)
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// True for loopback addresses (`127.0.0.0/8` and `::1` as IP addresses, and `localhost`):
    /// binding anything else needs the user's explicit consent.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// True when a `Host` header (`name`, `name:port`, `[v6]:port`) names a loopback address.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            host = host[..<colon]
        }
        return isLoopback(String(host).lowercased())
    }
}
