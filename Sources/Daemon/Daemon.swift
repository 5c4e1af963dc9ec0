import Foundation
import Glibc
import Index
import PluginHost

/// The scoring daemon (docs/daemon.md): watches a store, indexes every checkpoint
/// that appears, and scores each with the planned metrics in worker processes.
///
/// One thread runs everything from one `poll` loop: the inotify descriptor, the signal pipe and
/// the workers' report pipes are its inputs, and its timeout is the nearest deadline (a job
/// timeout, a retry, a file to look at again), or none at all when idle, so an idle daemon uses
/// no CPU. All state that must survive a crash is in the index, changed in transactions.
public final class Daemon {
    let configuration: DaemonConfiguration
    let log: DaemonLog
    var layout: StoreLayout { configuration.layout }
    let index: IndexStore
    let lock: StoreLock
    let watcher: InotifyWatcher
    let intake: CheckpointIntake
    /// The metrics every checkpoint is scored with (refreshed when plugins change).
    var plan: [PlannedMetric] = []
    /// Workers by pid.
    var running: [pid_t: WorkerBatch] = [:]
    /// The training run in progress (`--train`).
    var training: TrainingRun?
    /// Files to look at (again) no earlier than the given time.
    var pendingFiles: [String: Date] = [:]
    /// When to re-read the plugins (a plugin file changed moments ago).
    var replanAt: Date?
    /// Set by SIGTERM/SIGINT: no new jobs; running ones get until `shutdownDeadline`.
    var shutdownDeadline: Date?
    /// Plugin directories being watched.
    var pluginDirectories: [String] = []
    var workerSequence = 0
    /// The tag the next claim is made under (`host:pid-nonce:n`); `workerSequence` moves on
    /// only when a claim succeeds, so the numbers count workers, not attempts.
    var nextWorkerTag: String { "\(daemonID):\(workerSequence + 1)" }
    /// This daemon's name on the index, `host:pid-nonce`; its workers' tags add `:n`.
    let daemonID: String
    /// The host name it registers under (`DaemonProbe.hostName`).
    let host: String
    let startedAt = Date()
    /// When the leases are renewed next, and the store rescanned next (with a scan interval).
    var nextRenewal: Date?
    var nextScan: Date?
    /// When missing datasets are looked for next (`retryJobsWaitingForDataIfDue`).
    var nextDataCheck = Date.distantPast
    /// What this run did (the `--once` summary and exit status).
    var tally = Tally()
    /// systemd's readiness and watchdog protocol (does nothing outside a `Type=notify` unit).
    let notifier = SystemdNotifier()

    struct Tally {
        var indexed = 0, scored = 0, failed = 0, quarantined = 0, trained = 0
    }

    /// Takes the store's lock, opens (creates, migrates) the index, and starts watching.
    public init(configuration: DaemonConfiguration, log: DaemonLog) throws {
        self.configuration = configuration
        self.log = log
        let layout = configuration.layout
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: layout.root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DaemonError.store("no store directory at \(layout.root); create it (mkdir -p) or pass another --store")
        }
        lock = try StoreLock(layout: layout)
        index = try IndexStore(layout.index)
        watcher = try InotifyWatcher()
        host = DaemonProbe.hostName
        daemonID = "\(host):\(getpid())-\(String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16))"
        intake = CheckpointIntake(layout: layout, index: index, log: log, holder: daemonID, claimLease: configuration.lease)
        try? FileManager.default.createDirectory(atPath: layout.pluginDirectory, withIntermediateDirectories: true)
    }

    /// Runs until SIGTERM/SIGINT (or, with `once`, until everything is scored). Returns the exit
    /// status: 0, or with `once` 1 when a job failed or a file was quarantined during the run.
    public func run() throws -> Int32 {
        defer { lock.release() }
        try SignalPipe.install([SIGCHLD, SIGTERM, SIGINT, SIGHUP])
        try joinFleet()
        defer { leaveFleet() }
        try refreshPlan(initial: true)
        try watchStore()
        try scanStore(priority: JobPriority.newCheckpoint)
        try retryJobsWaitingForDataIfDue()
        log.info("watching \(layout.root) as \(daemonID) with \(configuration.workers) worker(s); \(plan.count) metric(s): "
            + plan.map { "\($0.request)@\($0.key.version)" }.joined(separator: ", ")
            + (configuration.effectiveScanInterval.map { "; rescanning every \(String(format: "%g", $0)) s" } ?? ""))
        // Ready once the start-up scan has indexed and queued what the store holds.
        notifier.ready(status: "watching \(layout.root): \(tally.indexed) checkpoint(s) indexed at start-up")
        notifier.pingWatchdogIfDue()
        var outages = 0
        while true {
            do {
                try dispatch()
                try dispatchTraining()
                if try isFinished() { break }
                try waitForInput()
                if outages > 0 { log.info("the index is reachable again") }
                outages = 0
            } catch let error as IndexError where error.isTransient {
                // A server restarting, a network gone for a while, a disk briefly full: wait and
                // try again (1, 2, 4 … 30 s), answering signals meanwhile; the connection reopens
                // by itself on the next statement.
                outages += 1
                let delay = min(30, 1 << min(outages - 1, 5))
                log.warning("the index is unavailable (\(error.message)); trying again in \(delay) s")
                var fd = pollfd(fd: SignalPipe.readFD, events: Int16(POLLIN), revents: 0)
                notifier.status("the index is unavailable; trying again in \(delay) s")
                // Wait `delay` s, waking for signals and for the watchdog's pings.
                let until = Date().addingTimeInterval(Double(delay))
                repeat {
                    notifier.pingWatchdogIfDue()
                    let wake = min(until, notifier.nextWatchdogPing ?? until)
                    if poll(&fd, 1, Int32(max(0, wake.timeIntervalSinceNow) * 1000) + 1) > 0 { break }
                } while Date() < until
                for signal in SignalPipe.drain() {
                    do { try handle(signal: signal) } catch let error as IndexError where error.isTransient {}
                }
                if shutdownDeadline != nil && running.isEmpty && training == nil { break }
            }
        }
        index.compactLogQuietly()
        let t = tally
        log.info("stopped: \(t.indexed) checkpoint(s) indexed, \(t.scored) job(s) scored, \(t.failed) failed, \(t.quarantined) quarantined"
            + (configuration.train ? ", \(t.trained) cell(s) trained" : ""))
        return configuration.once && (t.failed > 0 || t.quarantined > 0) ? 1 : 0
    }

    /// True when the loop should end: a shutdown with no worker left, or `--once` with nothing
    /// left to do now or later.
    private func isFinished() throws -> Bool {
        if shutdownDeadline != nil { return running.isEmpty && training == nil }
        guard configuration.once, running.isEmpty, training == nil, pendingFiles.isEmpty, replanAt == nil else { return false }
        return try index.queuedJobCount() == 0 && !(try trainingIsQueued())
    }

    /// Sleeps in `poll` until input or the nearest deadline, then handles what arrived.
    private func waitForInput() throws {
        var fds = [pollfd(fd: SignalPipe.readFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: watcher.fd, events: Int16(POLLIN), revents: 0)]
        let workers = Array(running.values)
        fds += workers.map { pollfd(fd: $0.process.reportFD, events: Int16(POLLIN), revents: 0) }
        fds += workers.map { pollfd(fd: $0.process.errorFD ?? -1, events: Int16(POLLIN), revents: 0) }
        if let run = training { fds.append(pollfd(fd: run.process.reportFD, events: Int16(POLLIN), revents: 0)) }
        let timeout = try pollTimeout()
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        guard ready >= 0 || errno == EINTR else { throw DaemonError.system(call: "poll", errno: errno, detail: "the event loop") }
        for signal in SignalPipe.drain() { try handle(signal: signal) }
        if fds[1].revents != 0 { try handle(events: watcher.readEvents()) }
        for (i, worker) in workers.enumerated() where fds[i + 2].revents != 0 { try readReports(of: worker) }
        for (i, worker) in workers.enumerated() where fds[i + 2 + workers.count].revents != 0 { readErrors(of: worker) }
        if let run = training, fds.count > 2 * workers.count + 2, fds[2 * workers.count + 2].revents != 0 { _ = run.process.readLines() }
        try reapWorkers()
        try enforceDeadlines()
        try renewLeasesIfDue()
        try examineDueFiles()
        try scanIfDue()
        try retryJobsWaitingForDataIfDue()
        if let at = replanAt, at <= Date() { try refreshPlan(initial: false) }
        notifier.pingWatchdogIfDue()
    }

    /// Milliseconds until the nearest deadline; -1 (forever) when there is none.
    private func pollTimeout() throws -> Int32 {
        var deadlines: [Date] = Array(pendingFiles.values) + fleetDeadlines + [nextDataCheck]
        if let r = replanAt { deadlines.append(r) }
        if let s = shutdownDeadline { deadlines.append(s) }
        if let ping = notifier.nextWatchdogPing { deadlines.append(ping) }
        deadlines += running.values.map { $0.deadline(timeout: configuration.jobTimeout) }
        if shutdownDeadline == nil, running.count < configuration.workers, let retry = try index.nextRetryTime(after: Date()) {
            deadlines.append(retry)
        }
        guard let nearest = deadlines.min() else { return -1 }
        return Int32(max(0, min(nearest.timeIntervalSinceNow * 1000 + 5, 3_600_000)))
    }

    private func handle(signal: Int32) throws {
        switch signal {
        case SIGCHLD:
            break  // reaped after every wake-up
        case SIGTERM, SIGINT:
            if shutdownDeadline == nil {
                notifier.stopping()
                shutdownDeadline = Date().addingTimeInterval(configuration.shutdownGrace)
                log.info("stopping: no new jobs; \(running.count) worker(s) get \(Int(configuration.shutdownGrace)) s to finish, then their jobs are requeued")
                if let run = training {
                    // A training run resumes from its last checkpoint wherever it is claimed next.
                    log.info("stopping the training of \(run.job.runID); it goes back to the queue")
                    run.stopped = true
                    run.process.kill(SIGKILL)
                }
            } else {
                shutdownDeadline = Date()  // a second signal: stop now
            }
        case SIGHUP:
            log.info("SIGHUP: rescanning the store and the plugins")
            notifier.reloading()
            // READY again however the rescan ends (an index outage throws out of it).
            defer { notifier.ready(status: "watching \(layout.root): rescanned on SIGHUP") }
            try refreshPlan(initial: false)
            try watchStore()
            try scanStore(priority: JobPriority.newCheckpoint)
        default:
            break
        }
    }
}

extension IndexStore {
    /// Truncates the WAL; a failure here (a reader holding it) is harmless.
    func compactLogQuietly() { try? compactLog() }
}
