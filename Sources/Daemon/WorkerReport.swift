/// What a worker process tells the daemon on its stdout, one line each (docs/daemon.md §4). The
/// worker records results itself (in the same transaction that marks the job done); these lines
/// tell the daemon which job was running when a worker dies, and how a failure should be handled.
public enum WorkerReport: Equatable, Sendable {
    /// A job starts (its timeout starts now).
    case begin(job: Int64)
    /// A job's results are recorded; `hvps` Hessian-vector products were computed for them.
    case done(job: Int64, hvps: Int = 0)
    /// A job failed; `failure` says whether retrying can help.
    case failed(job: Int64, failure: Failure, reason: String)
    /// The checkpoint itself cannot be scored: every job of the batch not yet done fails with it.
    case checkpointFailed(failure: Failure, reason: String)
    /// Something a job's results do not say (`MetricOutcome.notes`), for the daemon's log.
    case note(job: Int64, text: String)

    /// How a failure is handled.
    public enum Failure: String, Sendable {
        /// Retry later with backoff (a busy index, a full disk, out of memory).
        case transient
        /// Give up; the reason is recorded on the job.
        case permanent
        /// The archive is unreadable: move it to quarantine.
        case corrupt
        /// The file is gone: wait until it shows up again.
        case missing
        /// The checkpoint's dataset is not where it is looked for: its jobs fail, and are queued
        /// again when the data is there (`Daemon.retryJobsWaitingForData`).
        case dataMissing = "data-missing"
    }

    /// The line as written (no newline).
    public var line: String {
        switch self {
        case .begin(let job): return "begin \(job)"
        case .done(let job, let hvps): return "done \(job) \(hvps)"
        case .failed(let job, let failure, let reason): return "fail \(job) \(failure.rawValue) \(Self.oneLine(reason))"
        case .checkpointFailed(let failure, let reason): return "checkpoint \(failure.rawValue) \(Self.oneLine(reason))"
        case .note(let job, let text): return "note \(job) \(Self.oneLine(text))"
        }
    }

    /// Parses a line; nil for anything else (the daemon logs it and ignores it).
    public init?(line: Substring) {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        switch parts.first {
        case "begin" where parts.count == 2: guard let id = Int64(parts[1]) else { return nil }; self = .begin(job: id)
        case "done" where parts.count == 2 || parts.count == 3:
            guard let id = Int64(parts[1]), let hvps = parts.count == 3 ? Int(parts[2]) : 0 else { return nil }
            self = .done(job: id, hvps: hvps)
        case "fail" where parts.count >= 3:
            guard let id = Int64(parts[1]), let failure = Failure(rawValue: String(parts[2])) else { return nil }
            self = .failed(job: id, failure: failure, reason: parts.count > 3 ? String(parts[3]) : "")
        case "checkpoint" where parts.count >= 2:
            guard let failure = Failure(rawValue: String(parts[1])) else { return nil }
            let reason = parts.dropFirst(2).joined(separator: " ")
            self = .checkpointFailed(failure: failure, reason: reason)
        case "note" where parts.count >= 3:
            guard let id = Int64(parts[1]) else { return nil }
            self = .note(job: id, text: parts.dropFirst(2).joined(separator: " "))
        default: return nil
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
