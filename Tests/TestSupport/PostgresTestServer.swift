import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The private PostgreSQL server tools/test starts (tools/postgres-cluster) for the tests.
public enum PostgresTestServer {
    /// Its URL; nil when the tests run without one.
    public static let url = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_URL"]
    /// Its folder, for restarts.
    public static let directory = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_DIR"]
    /// True under tools/test, where a missing server is a failure rather than a skip.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_POSTGRES"] != nil }

    /// A fresh schema name with `prefix`.
    public static func schemaName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// The URL that opens `schema` (its tables come first on the search path).
    public static func url(schema: String) -> String? {
        url.map { $0 + ($0.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)" }
    }

    /// Restarts the server (fast shutdown: every session is cut), down for `pause` seconds; false
    /// when there is none or it fails. posix_spawn and waitpid rather than Foundation's Process,
    /// whose wait never ends here: the restarted server is a grandchild that lives on.
    public static func restart(pause: Int = 0) -> Bool {
        guard let directory else { return false }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../tools/postgres-cluster").standardizedFileURL.path
        let arguments = [script, "restart", directory, String(pause)]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, script, nil, nil, &argv, environ) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0
    }
}
