import Foundation

/// Log lines on stderr, one per event, unbuffered (journald and `2>file` see them at once).
public struct DaemonLog: Sendable {
    /// Also log per-job detail.
    public var verbose: Bool

    /// A logger.
    public init(verbose: Bool = false) { self.verbose = verbose }

    /// A normal event.
    public func info(_ message: String) { write("", message) }
    /// Something went wrong with one file or job; the daemon goes on.
    public func warning(_ message: String) { write("warning: ", message) }
    /// Detail shown with --verbose.
    public func debug(_ message: String) { if verbose { write("", message) } }

    private func write(_ level: String, _ message: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        FileHandle.standardError.write(Data("\(stamp) sharpd: \(level)\(message)\n".utf8))
    }
}
