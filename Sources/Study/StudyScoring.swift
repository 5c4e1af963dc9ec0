import Checkpoint
import Foundation
import Glibc
import Hashing
import Index
import IndexPresentation
import IndexQueries
import Statistics
import IndexRecords
import PluginHost
import Scoring

/// Gets a study's final checkpoints scored into `<store>/index.sqlite`, by whichever way is
/// available (docs/study.md §Scoring):
/// 1. a live `sharpd` owns the store (it holds `<store>/.sharpd.lock`; `sharpd.pid` alone proves
///    nothing): it scores what lands in the store; wait until the index has every final
///    checkpoint and no queued or running job for them;
/// 2. else the `sharpd` executable next to `sharp`: run `sharpd --store S --once --metric ...`;
/// 3. else score in-process with `Scoring.Scorer` and record the results through `IndexStore`.
public struct StudyScoring {
    /// How the metrics get run.
    public enum Route: Equatable, Sendable, CustomStringConvertible {
        /// A running daemon: the pid that holds the store's lock, nil if it cannot be proven
        /// (then it is never signalled).
        case daemon(pid: Int32?)
        /// The daemons registered on a shared index (a fleet, docs/fleet.md): wait for them,
        /// signal none.
        case fleet
        /// `sharpd --once` at this path.
        case once(executable: String)
        /// This process.
        case inProcess

        public var description: String {
            switch self {
            case .daemon(let pid): return "the running sharpd" + (pid.map { " (pid \($0))" } ?? "")
            case .fleet: return "the daemons on the index"
            case .once(let path): return "\(path) --once"
            case .inProcess: return "in-process scoring"
            }
        }
    }

    /// The plan (metric requests, evaluation samples) and the store.
    public let plan: StudyPlan
    public let store: String
    /// Progress lines.
    public var log: (String) -> Void = { _ in }
    /// Kernel threads for `sharpd --once` and in-process scoring (nil: all CPUs).
    public var threads: Int?
    /// Seconds to wait for a daemon before giving up (the report is written with what is there).
    public var waitTimeout: TimeInterval = 6 * 3600

    /// Where results are read and written.
    public let index: IndexLocation

    /// A scorer for `plan` in `store`, its results in `index` (nil: `<store>/index.sqlite`).
    public init(plan: StudyPlan, store: String, index: IndexLocation? = nil) {
        self.plan = plan
        self.store = store
        self.index = index ?? .sqlite(path: IndexStore.path(forStore: store))
    }

    /// Whether a daemon holds the store's lock on this host (`Index.DaemonProbe`, the one answer
    /// to "is sharpd alive on this store"), and its pid when the kernel's lock table proves it.
    /// `scope`: which lock file (one per store with SQLite, one per host with a shared index).
    public static func liveDaemon(store: String, scope: DaemonProbe.Scope = .store) -> (running: Bool, pid: Int32?) {
        guard case .running = DaemonProbe.state(store: store, scope: scope) else { return (false, nil) }
        return (true, DaemonProbe.lockHolder(store: store, scope: scope))
    }

    /// The lock scope of daemons on this study's index.
    var lockScope: DaemonProbe.Scope { DaemonProbe.Scope(index.dialect) }

    /// Whether any daemon registered on the index still holds its lease.
    func fleetIsLive() -> Bool {
        ((try? IndexStore(index, mode: .readOnly).daemons()) ?? []).contains(where: \.isLive)
    }

    /// The `sharpd` next to the running executable, if there is one.
    public static func daemonExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let folder = (String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) as NSString).deletingLastPathComponent
        let path = (folder as NSString).appendingPathComponent("sharpd")
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// The route `auto` picks.
    public func automaticRoute() -> Route {
        let daemon = Self.liveDaemon(store: store, scope: lockScope)
        if daemon.running { return .daemon(pid: daemon.pid) }
        if index.dialect.isShared, fleetIsLive() { return .fleet }
        if let path = Self.daemonExecutable() { return .once(executable: path) }
        return .inProcess
    }

    /// The evaluation settings in-process scoring uses: those of `sharp score`, on the plan's samples.
    var evaluationOptions: EvaluationOptions {
        var options = EvaluationOptions()
        options.sampleCount = plan.evaluationSamples
        return options
    }

    /// The metric arguments a daemon needs to score a study like this one
    /// (`sharp study --print-sharpd-arguments`, used by tools/demo).
    public var daemonArguments: [String] {
        plan.metrics.flatMap { ["--metric", $0] } + ["--samples", plan.evaluationSamples.map(String.init) ?? "all"]
    }

    /// Scores `checkpoints` (the study's final ones) by `route`.
    public func score(_ checkpoints: [String], route: Route) throws {
        switch route {
        case .daemon(let pid):
            log("scoring: waiting for sharpd\(pid.map { " (pid \($0))" } ?? "") to score \(checkpoints.count) checkpoint(s)")
            try waitForDaemon(checkpoints, pid: pid) { Self.liveDaemon(store: store, scope: lockScope).running }
        case .fleet:
            log("scoring: waiting for the daemons on \(index) to score \(checkpoints.count) checkpoint(s)")
            try waitForDaemon(checkpoints, pid: nil, alive: fleetIsLive)
        case .once(let executable):
            // The sharpd writes where the study reads, whatever SHARP_INDEX_URL says.
            var arguments = ["--store", store, "--index", index.environmentValue, "--once"] + daemonArguments
            if let threads { arguments += ["--threads", String(threads)] }
            log("scoring: \(executable) \(arguments.joined(separator: " "))")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                log("scoring: sharpd --once exited with status \(process.terminationStatus) (some jobs failed; see its log); "
                    + "the report shows what was scored")
            }
        case .inProcess:
            try scoreInProcess(checkpoints)
        }
    }

    // MARK: Waiting for a daemon

    /// Polls the index (read-only) until every checkpoint is indexed and none has queued or
    /// running jobs; gives up when `alive` says the daemons stopped, or after `waitTimeout`.
    func waitForDaemon(_ checkpoints: [String], pid: Int32?, alive: () -> Bool) throws {
        var hashes: [String] = []
        for path in checkpoints { hashes.append(try Checkpoint.contentHash(of: path)) }
        let start = Date()
        var lastLine = "", lastNudge = Date(), nudgeAfter: TimeInterval = 20
        while true {
            let state = try? Self.progress(index: index, hashes: hashes)
            if let state {
                let line = "scoring: \(state.indexed)/\(hashes.count) indexed, \(state.pending) job(s) pending, \(state.done) done, \(state.failed) failed"
                if line != lastLine {
                    log(line)
                    lastLine = line
                }
                if state.indexed == hashes.count && state.pending == 0 { return }
                // Files the daemon has not picked up (e.g. a folder created faster than its watch
                // was set up): SIGHUP makes it rescan the store (docs/daemon.md). The holder is
                // proven again right before the signal, so a pid reused since is never hit.
                if state.indexed < hashes.count, Date().timeIntervalSince(lastNudge) > nudgeAfter, let pid,
                    DaemonProbe.lockHolder(store: store, scope: lockScope) == pid
                {
                    log("scoring: asking sharpd to rescan the store (SIGHUP)")
                    kill(pid, SIGHUP)
                    lastNudge = Date()
                    nudgeAfter = 120  // a rescan stats every file and re-plans the plugins: not too often
                }
            }
            if !alive() {
                log("scoring: sharpd stopped before it finished; the report shows what was scored")
                return
            }
            if Date().timeIntervalSince(start) > waitTimeout {
                log("scoring: gave up waiting after \(Int(waitTimeout)) s; the report shows what was scored")
                return
            }
            usleep(1_500_000)
        }
    }

    /// How far the daemon is with these content hashes.
    static func progress(index location: IndexLocation, hashes: [String]) throws -> (indexed: Int, pending: Int, done: Int, failed: Int) {
        let index = try IndexStore(location, mode: .readOnly)
        var indexed = 0, pending = 0, done = 0, failed = 0
        for hash in hashes {
            guard let s = try StudyStatus.scoring(of: hash, in: index) else { continue }
            indexed += 1
            pending += s.pending
            done += s.done
            failed += s.failed
        }
        return (indexed, pending, done, failed)
    }

    // MARK: In-process

    /// Scores each checkpoint here with the plan's requests, skipping requests whose results the
    /// index already holds, and records everything through `IndexStore`.
    func scoreInProcess(_ checkpoints: [String]) throws {
        let recorder = ScoreRecorder(index: try IndexStore(self.index))
        let registry = PluginRegistry(store: store)
        var options = evaluationOptions
        options.cacheBytes = 2 << 30
        options.memoryBytes = EvaluationOptions.defaultMemoryBytes
        let requests = try plan.metrics.map { try MetricRequest(parsing: $0) }
        for (number, path) in checkpoints.enumerated() {
            let checkpoint = try Checkpoint.read(from: path)
            let id = try recorder.record(checkpointAt: path, manifest: checkpoint.manifest)
            var scorer: Scorer?
            for request in requests {
                let key = try ScoreRecorder.key(for: request, options: options, registry: registry)
                if try recorder.hasResults(checkpointID: id, key: key) { continue }
                if scorer == nil {
                    scorer = try Scorer(subject: ScoringSubject(checkpoint: checkpoint, path: path), options: options, registry: registry)
                }
                let clock = Date()
                let outcome = try scorer!.run(request)
                log(String(format: "scoring [%d/%d] %@: %@ %.1f s", number + 1, checkpoints.count,
                           (path as NSString).lastPathComponent, request.description, Date().timeIntervalSince(clock)))
                try recorder.record(outcome, checkpointID: id, key: key)
            }
            scorer?.releaseCaches()
        }
    }
}
extension ResultCell {
    /// The cell as an integer, if it is one.
    var integerValue: Int64? {
        switch self {
        case .integer(let v): return v
        case .number(let v): return Int64(exactly: v)
        default: return nil
        }
    }

    /// The cell as text, if it is text.
    var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}


