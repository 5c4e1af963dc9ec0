import Index
import Foundation

/// What the daemon is doing to a store (`sharpq status`): is it running, what the index holds,
/// how the job queue stands, and what was quarantined.
public struct StoreStatus: Equatable, Sendable {
    /// Whether a daemon holds the store's lock.
    public typealias DaemonState = DaemonProbe.State

    /// Queue counts. `runnable + waitingForRetry + waitingForFile` is every queued job.
    public struct JobCounts: Equatable, Sendable {
        /// Queued and claimable now.
        public var runnable = 0
        /// Queued after a failed attempt, not before `nextRetryAt`.
        public var waitingForRetry = 0
        /// Queued for a checkpoint whose file is missing or quarantined (claimed when it is back).
        public var waitingForFile = 0
        /// Claimed by a worker.
        public var running = 0
        /// Results recorded.
        public var done = 0
        /// Given up.
        public var failed = 0
        /// The earliest retry time among `waitingForRetry`.
        public var nextRetryAt: Date?

        /// Every queued job.
        public var queued: Int { runnable + waitingForRetry + waitingForFile }
    }

    /// The store directory as given.
    public var store: String
    /// When the status was taken (ages and "runnable now" are relative to it).
    public var checkedAt: Date
    /// The daemon on this host (the one that holds this host's lock file).
    public var daemon: DaemonState
    /// Which daemons the lock file keeps apart (every daemon on the store, or one host's).
    public var lockScope: DaemonProbe.Scope
    /// Every daemon registered on the index, live ones first: with a shared index, the fleet.
    public var daemons: [DaemonRecord]
    /// Checkpoints per status (`ok`, `missing`, `quarantined`; absent statuses count 0).
    public var checkpoints: [String: Int]
    /// The queue.
    public var jobs: JobCounts
    /// Every running job, longest-running first.
    public var running: [Job]
    /// The most recent failed jobs, newest first.
    public var recentFailures: [Job]
    /// `*.reason.txt` notes in `<store>/quarantine/`: files the daemon moved aside.
    public var quarantinedFiles: Int
}

