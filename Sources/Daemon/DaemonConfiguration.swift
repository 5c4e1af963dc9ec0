import Foundation
import Index
import Scoring

/// How `sharpd` runs (its command-line options, docs/daemon.md).
public struct DaemonConfiguration: Sendable {
    /// The store to watch.
    public var layout: StoreLayout
    /// Worker processes at a time.
    public var workers = 1
    /// Kernel threads per worker (nil: the CPUs divided among the workers).
    public var threadsPerWorker: Int?
    /// Metric requests as typed (`NAME[:k=v,...]`); empty: every metric plugin found.
    public var metricRequests: [String] = []
    /// Without requests: plugins to leave out of "every metric plugin found".
    public var skippedMetrics: [String] = []
    /// The evaluation settings every metric is run with.
    public var evaluation = EvaluationOptions.commandLineDefaults
    /// Score what is there, then exit.
    public var once = false
    /// A job running longer than this is killed and failed.
    public var jobTimeout: TimeInterval = 3 * 3600
    /// On SIGTERM/SIGINT, how long running jobs may take to finish before they are requeued.
    public var shutdownGrace: TimeInterval = 10
    /// A job that failed transiently this many times fails for good.
    public var maxAttempts = 5
    /// At most this many jobs of one checkpoint go to one worker process.
    public var jobsPerWorker = 32
    /// Memory (bytes) a worker may use for cached per-batch graphs.
    public var cacheBytes = 2 << 30
    /// Cap (bytes) on a worker's resident memory while it scores in eval mode (`MemoryPlan`).
    public var memoryBytes = EvaluationOptions.defaultMemoryBytes
    /// The executable to start workers and the planner from (this program).
    public var executable: String
    /// Per-job log lines.
    public var verbose = false
    /// Seconds a claim lasts without renewal (`JobLease`): a dead daemon's jobs move after this.
    public var lease: TimeInterval = JobLease.standard
    /// Seconds between rescans of the store, for files other hosts wrote (inotify sees only this
    /// host's); nil: every 60 s with an index several hosts share, never with SQLite; 0: never.
    public var scanInterval: TimeInterval?
    /// Also train a distributed study's cells from the index's training queue, one at a time.
    public var train = false
    /// The build, recorded with the daemon's registration.
    public var softwareVersion: String?

    /// Defaults for a store, its index at `index` (nil: `<store>/index.sqlite`).
    public init(store: String, index: IndexLocation? = nil, executable: String) {
        layout = StoreLayout(root: store, index: index)
        self.executable = executable
    }

    /// The arguments that make a child see the same metric plan.
    var planArguments: [String] {
        var a = ["--store", layout.root]
        for r in metricRequests { a += ["--metric", r] }
        for m in skippedMetrics { a += ["--skip-metric", m] }
        let e = evaluation
        a += ["--split", e.split.rawValue, "--samples", e.sampleCount.map(String.init) ?? "all", "--subset-seed", String(e.subsetSeed),
              "--mode", e.mode == .evaluation ? "eval" : "train", "--precision", e.precision.rawValue, "--seed", String(e.seed)]
        if let b = e.batchSize { a += ["--batch-size", String(b)] }
        return a
    }

    /// The rescan interval in effect (nil: no periodic rescan).
    var effectiveScanInterval: TimeInterval? {
        let interval = scanInterval ?? (layout.index.dialect.isShared ? 60 : 0)
        return interval > 0 ? interval : nil
    }

    /// Kernel threads each worker gets.
    var workerThreads: Int {
        threadsPerWorker ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, workers))
    }
}
