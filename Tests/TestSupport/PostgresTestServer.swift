import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The private PostgreSQL server tools/test starts (tools/postgres-cluster) for the tests.
public enum PostgresTestServer {
    /// Its URL; nil when the tests run without one.
    public static let url = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_URL"]
    /// True under tools/test, where a missing server is a failure rather than a skip.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_POSTGRES"] != nil }

    /// A fresh schema name with `prefix`.
    public static func schemaName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// The URL that opens `schema` of the server at `server` (default: this one); its tables
    /// come first on the search path.
    public static func url(schema: String, server: String? = url) -> String? {
        server.map { $0 + ($0.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)" }
    }
}

/// A PostgreSQL server of one test's own (tools/postgres-cluster start), for tests that restart
/// or cut off their server: on the shared one, a restart would break every other test using it
/// at that moment. Stopped and removed when released.
public final class PrivatePostgresServer: Sendable {
    /// Its folder (tools/postgres-cluster's DIR).
    public let directory: String
    /// The URL to connect to.
    public let url: String

    /// Starts a server; `listen` adds an address it also listens on (with trust for its /24).
    public init(listen: String? = nil) throws {
        let output = NSTemporaryDirectory() + "sharp-pg-start-\(UUID().uuidString)"
        defer { unlink(output) }
        let status = Self.cluster(["start"] + (listen.map { ["--listen", $0] } ?? []), output: output)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard status == 0, words.count >= 2 else {
            throw PrivateServerError(message: "tools/postgres-cluster start failed (\(status)): \(text)")
        }
        directory = words[words.count - 2]
        url = words[words.count - 1]
    }

    deinit { _ = Self.cluster(["stop", directory], output: "/dev/null") }

    /// Restarts it (fast shutdown: every session is cut), down for `pause` seconds; false if it failed.
    public func restart(pause: Int = 0) -> Bool {
        Self.cluster(["restart", directory, String(pause)], output: "/dev/null") == 0
    }

    /// Runs tools/postgres-cluster with its standard output in the file `output`; returns the
    /// exit status. posix_spawn and waitpid rather than Foundation's Process, whose wait never
    /// ends here: a started server is a grandchild that lives on.
    static func cluster(_ arguments: [String], output: String) -> Int32 {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../tools/postgres-cluster").standardizedFileURL.path
        var argv = ([script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pid: pid_t = 0
        guard posix_spawn(&pid, script, &actions, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}

/// Why a private server could not be started.
public struct PrivateServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
