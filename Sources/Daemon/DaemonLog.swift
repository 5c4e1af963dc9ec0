import Foundation
import Glibc
import JSON
import Logging

/// sharpd's log: one line per event on stderr, unbuffered, through swift-log (docs/daemon.md §7).
/// Events carry fields as metadata (`job`, `checkpoint`, `plugin`, `duration_s`, `path`, ...), which
/// the text format appends as `key=value` and the JSON format writes as keys.
public struct DaemonLog: Sendable {
    /// How lines look.
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-12-07T19:00:00Z sharpd: warning: message key=value`
        case text
        /// `{"level":"warning","msg":"message","key":"value","ts":"2026-12-07T19:00:00Z"}`
        case json
    }

    let logger: Logger

    /// A log at `level` (`.debug` shows per-job detail) in `format`.
    public init(level: Logger.Level = .info, format: Format = .text) {
        var logger = Logger(label: "sharpd") { label in DaemonLogHandler(label: label, format: format) }
        logger.logLevel = level
        self.logger = logger
    }

    /// The log of `--verbose` (debug) or not (info), as text.
    public init(verbose: Bool) { self.init(level: verbose ? .debug : .info) }

    /// A normal event.
    public func info(_ message: String, _ fields: Logger.Metadata = [:]) { logger.info("\(message)", metadata: fields) }
    /// Something went wrong with one file or job; the daemon goes on.
    public func warning(_ message: String, _ fields: Logger.Metadata = [:]) { logger.warning("\(message)", metadata: fields) }
    /// Detail shown with --verbose (--log-level debug).
    public func debug(_ message: String, _ fields: Logger.Metadata = [:]) { logger.debug("\(message)", metadata: fields) }
}

/// Writes swift-log records as sharpd's lines. Under journald (stderr is the stream named by
/// `JOURNAL_STREAM`) a line starts with the syslog priority prefix (`<4>` for a warning), which
/// journald turns into the entry's priority, and carries no timestamp of its own: journald stamps
/// every entry, so a second time would only repeat it.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let format: DaemonLog.Format
    let journald: Bool

    /// A handler; `journald` defaults to whether stderr is the journal's stream.
    public init(label: String, format: DaemonLog.Format, journald: Bool = DaemonLogHandler.stderrIsJournal()) {
        self.label = label
        self.format = format
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        FileHandle.standardError.write(Data(line(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 }).utf8))
    }

    /// One record as its line (with the newline).
    public func line(_ level: Logger.Level, _ message: String, _ fields: Logger.Metadata, at date: Date = Date()) -> String {
        let prefix = journald ? "<\(Self.syslogPriority(level))>" : ""
        let stamp = ISO8601DateFormatter().string(from: date)
        switch format {
        case .text:
            let shown = level >= .warning ? "\(level == .warning ? "warning" : "\(level)"): " : ""
            let tail = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\(Self.text($0.value))" }.joined()
            // One event, one line: a message with line breaks keeps them as `\n`.
            let oneLine = message.replacingOccurrences(of: "\n", with: "\\n")
            return prefix + (journald ? "" : stamp + " ") + "\(label): \(shown)\(oneLine)\(tail)\n"
        case .json:
            // The event's own keys win over fields of the same name (kept as `field.NAME`).
            var object: [String: JSONValue] = [:]
            for (key, value) in fields { object[["level", "msg", "ts"].contains(key) ? "field.\(key)" : key] = Self.json(value) }
            object["level"] = .string(level.rawValue)
            object["msg"] = .string(message)
            if !journald { object["ts"] = .string(stamp) }
            return prefix + JSONValue.object(object).text + "\n"
        }
    }

    /// syslog priorities: 3 error, 4 warning, 5 notice, 6 info, 7 debug.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// True when stderr is the stream systemd connected to the journal (`JOURNAL_STREAM=dev:inode`).
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    static func text(_ value: Logger.MetadataValue) -> String {
        let s = "\(value)"
        return s.contains(" ") || s.isEmpty ? "\"\(s.replacingOccurrences(of: "\"", with: "\\\""))\"" : s
    }

    /// Numbers stay numbers in JSON (`duration_s`, `job`), the rest is text.
    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            if let i = c as? Int { return .integer(Int64(i)) }
            if let i = c as? Int64 { return .integer(i) }
            if let d = c as? Double { return .number(d) }
            return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }
}
