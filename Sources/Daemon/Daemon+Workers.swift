import Foundation
import Glibc
import Index
import Logging

/// One worker process and the jobs it holds.
final class WorkerBatch {
    let process: WorkerProcess
    /// The tag the jobs were claimed under (`host:daemon-pid-nonce:n`).
    let tag: String
    /// The jobs, in the order the worker runs them.
    let jobs: [Job]
    /// The job it is on, and since when.
    var current: Int64?
    var currentSince: Date
    /// Jobs it reported on (done or failed).
    var settled: Set<Int64> = []
    /// Set when the daemon killed it for running past its timeout.
    var timedOut = false
    /// Set when its jobs' leases were lost (they went back to the queue while the daemon was cut
    /// off from the index) and the daemon killed it: nothing is settled for it.
    var leaseLost = false
    /// What it wrote to stderr from the first sign of a crash on (a Swift runtime error, the
    /// backtracer's report), kept for the crash file instead of the log; and that first line.
    var crashLines: [String] = []
    var crashMessage: String?

    init(process: WorkerProcess, tag: String, jobs: [Job]) {
        self.process = process
        self.tag = tag
        self.jobs = jobs
        currentSince = Date()
    }

    /// When the current job (or the start-up before the first) runs out of time.
    func deadline(timeout: TimeInterval) -> Date { currentSince.addingTimeInterval(timeout) }

    func job(_ id: Int64) -> Job? { jobs.first { $0.id == id } }
}

/// The job side: claiming, starting workers, reading their reports, and settling every job a
/// worker held when it ends, however it ends.
extension Daemon {
    /// Starts workers while there are free slots and runnable jobs.
    func dispatch() throws {
        while shutdownDeadline == nil, running.count < configuration.workers {
            let tag = nextWorkerTag
            let now = Date()
            guard let first = try index.claimNextJob(worker: tag, lease: configuration.lease, at: now) else { return }
            workerSequence += 1
            let jobs = [first] + (try index.claimJobs(checkpointID: first.checkpointID, worker: tag,
                                                      limit: configuration.jobsPerWorker - 1, lease: configuration.lease, at: now))
            let arguments = ["worker", "--store", layout.root, "--worker", tag, "--jobs", jobs.map { String($0.id) }.joined(separator: ","),
                             "--cache-mb", String(configuration.cacheBytes >> 20), "--memory-mb", String(configuration.memoryBytes >> 20)]
            do {
                let process = try WorkerProcess(executable: configuration.executable, arguments: arguments,
                                                environment: configuration.layout.indexEnvironment.merging(
                                                    ["SHARP_THREADS": String(configuration.workerThreads)]) { $1 },
                                                captureErrors: true)
                running[process.pid] = WorkerBatch(process: process, tag: tag, jobs: jobs)
                log.debug("worker \(process.pid): \(jobs.count) job(s) for \(first.path)")
            } catch {
                try index.releaseJobs(jobs.map(\.id), worker: tag, reason: "requeued: could not start a worker", at: now)
                throw error
            }
        }
    }

    /// Passes what a worker wrote to stderr on to the log, line by line, until the first sign of
    /// a crash; from there on it is kept for the crash file (a backtrace is a hundred lines).
    func readErrors(of batch: WorkerBatch) {
        for line in batch.process.readErrorLines().lines {
            if batch.crashMessage == nil, Self.isCrashStart(line) {
                batch.crashMessage = line.trimmingCharacters(in: .whitespaces)
            } else if batch.crashMessage?.hasPrefix("*** Signal") == true, line.contains("Program crashed:") || line.contains("Fatal error:") {
                // The backtracer's banner comes first; the line that says what happened follows.
                batch.crashMessage = line.trimmingCharacters(in: .whitespaces)
            }
            if batch.crashMessage == nil {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            } else if batch.crashLines.count < 5000 {
                batch.crashLines.append(String(line))
            }
        }
    }

    /// The first line a crashing Swift process writes: a runtime error (`Fatal error: …`, with
    /// or without its source location) or the backtracer's headline (`💣 Program crashed: …`).
    static func isCrashStart(_ line: Substring) -> Bool {
        line.contains("Fatal error:") || line.hasPrefix("💣") || line.contains("Program crashed:") || line.hasPrefix("*** Signal")
    }

    /// Writes a crashed worker's captured stderr to `<store>/.sharpd/crashes/`; returns the file.
    func writeCrashFile(of batch: WorkerBatch) -> String? {
        guard !batch.crashLines.isEmpty else { return nil }
        let directory = layout.crashDirectory
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = batch.tag.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "-") + ".txt"
        let path = directory + "/" + name
        guard (try? (batch.crashLines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)) != nil
        else { return nil }
        return path
    }

    /// Handles the report lines a worker wrote.
    func readReports(of batch: WorkerBatch) throws {
        let (lines, _) = batch.process.readLines()
        for line in lines {
            guard let report = WorkerReport(line: line) else {
                log.warning("worker \(batch.process.pid) wrote an unexpected line: \(line)")
                continue
            }
            try handle(report, from: batch)
        }
    }

    private func handle(_ report: WorkerReport, from batch: WorkerBatch) throws {
        switch report {
        case .begin(let id):
            batch.current = id
            batch.currentSince = Date()
        case .done(let id, let hvps):
            batch.settled.insert(id)
            tally.scored += 1
            if let job = batch.job(id) {
                let seconds = Date().timeIntervalSince(batch.currentSince)
                DaemonMetrics.jobEnded(plugin: job.key.plugin, outcome: "done", seconds: seconds, hvps: hvps)
                log.info("scored \(job.path) with \(Self.label(job.key)) in \(String(format: seconds < 10 ? "%.2g" : "%.0f", seconds)) s",
                         Self.fields(job, ["duration_s": .stringConvertible(Self.rounded(seconds)), "hvps": .stringConvertible(hvps)]))
            }
        case .note(let id, let text):
            if let job = batch.job(id) { log.info("\(job.path) \(Self.label(job.key)): \(text)", Self.fields(job)) }
        case .failed(let id, let failure, let reason):
            batch.settled.insert(id)
            if let job = batch.job(id) { try settle(job, failure: failure, reason: reason, worker: batch.tag) }
        case .checkpointFailed(let failure, let reason):
            let open = batch.jobs.filter { !batch.settled.contains($0.id) }
            batch.settled.formUnion(open.map(\.id))
            guard let first = open.first else { return }
            switch failure {
            case .corrupt:
                try quarantine(first, reason: reason)
                for job in open { try fail(job, reason: "checkpoint quarantined: \(reason)", worker: batch.tag) }
                try index.failQueuedJobs(checkpointID: first.checkpointID, reason: "checkpoint quarantined: \(reason)", at: Date())
            case .missing:
                try index.markPathMissing(first.path, at: Date())
                try index.releaseJobs(open.map(\.id), worker: batch.tag, reason: "waiting: \(first.path) is gone", at: Date())
                log.warning("\(first.path) disappeared before it was scored; its jobs wait for the file to come back")
            case .dataMissing:
                for job in open { try settle(job, failure: failure, reason: reason, worker: batch.tag) }
                try index.failQueuedJobs(checkpointID: first.checkpointID, reason: Self.waitingForData + reason, at: Date())
                log.warning("\(first.path): its dataset is missing; its jobs wait for it (checked every minute): \(reason)")
            case .transient, .permanent:
                for job in open { try settle(job, failure: failure, reason: reason, worker: batch.tag) }
            }
        }
    }

    /// Records one job's failure: retried with backoff when transient and attempts remain.
    private func settle(_ job: Job, failure: WorkerReport.Failure, reason: String, worker: String) throws {
        switch failure {
        case .transient:
            let attempts = (try index.job(withID: job.id)?.attempts) ?? configuration.maxAttempts
            if attempts < configuration.maxAttempts {
                let delay = min(600, 10 * pow(2, Double(attempts - 1)))
                try index.failJob(id: job.id, worker: worker, reason: "retrying in \(Int(delay)) s: \(reason)",
                                  retryAt: Date().addingTimeInterval(delay), at: Date())
                DaemonMetrics.jobEnded(plugin: job.key.plugin, outcome: "retry")
                log.warning("\(Self.label(job.key)) on \(job.path) failed (attempt \(attempts)), retrying in \(Int(delay)) s: \(reason)",
                            Self.fields(job, ["attempt": .stringConvertible(attempts)]))
            } else {
                try fail(job, reason: "gave up after \(attempts) attempts: \(reason)", worker: worker)
            }
        case .corrupt:
            try quarantine(job, reason: reason)
            try fail(job, reason: "checkpoint quarantined: \(reason)", worker: worker)
        case .missing:
            try index.releaseJobs([job.id], worker: worker, reason: "waiting: \(job.path) is gone", at: Date())
        case .permanent:
            try fail(job, reason: reason, worker: worker)
        case .dataMissing:
            try fail(job, reason: Self.waitingForData + reason, worker: worker)
        }
    }

    private func fail(_ job: Job, reason: String, worker: String) throws {
        if try index.failJob(id: job.id, worker: worker, reason: reason, retryAt: nil, at: Date()) {
            tally.failed += 1
            DaemonMetrics.jobEnded(plugin: job.key.plugin, outcome: "failed")
            log.warning("\(Self.label(job.key)) failed on \(job.path): \(reason)", Self.fields(job))
        }
    }

    /// Quarantines the job's checkpoint; with several daemons, only the one whose update changed
    /// its status moves the file.
    private func quarantine(_ job: Job, reason: String) throws {
        guard try index.quarantineCheckpoint(id: job.checkpointID, reason: reason, at: Date()) else { return }
        if FileManager.default.fileExists(atPath: job.path) {
            _ = try intake.moveToQuarantine(job.path, sha: job.checkpointSHA256, size: 0, reason: reason)
        }
        tally.quarantined += 1
        DaemonMetrics.checkpointQuarantined()
    }

    /// Collects exited workers and settles every job they held without a report.
    func reapWorkers() throws {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if pid == training?.process.pid {
                try settleTraining(exit: ExitStatus(waitStatus: status))
                continue
            }
            guard let batch = running.removeValue(forKey: pid) else { continue }
            try readReports(of: batch)
            readErrors(of: batch)
            batch.process.closePipes()
            let exit = ExitStatus(waitStatus: status)
            let crashFile = writeCrashFile(of: batch)
            if batch.timedOut || (shutdownDeadline == nil && (exit != .exited(0) || crashFile != nil)) {
                DaemonMetrics.workerCrashed(reason: batch.timedOut ? "timeout" : crashFile != nil ? "crash" : "signal")
            }
            if let crashFile {
                log.warning("worker \(pid) (\(exit)) wrote a crash report: \(batch.crashMessage ?? "?"); the whole of it is in \(crashFile)")
            }
            let open = batch.jobs.filter { !batch.settled.contains($0.id) }
            let now = Date()
            for job in open where !batch.leaseLost {
                if shutdownDeadline != nil, !batch.timedOut {
                    try index.releaseJobs([job.id], worker: batch.tag, reason: "requeued: sharpd was stopped", at: now)
                } else if job.id == batch.current || (batch.current == nil && job.id == open.first?.id) {
                    var reason = batch.timedOut
                        ? "timed out after \(String(format: "%g", configuration.jobTimeout)) s (sharpd --timeout); the worker was killed"
                        : "the worker \(exit == .exited(0) ? "exited without reporting a result" : "was \(exit)") while \(Self.label(job.key)) ran (plugin crash?)"
                    if let message = batch.crashMessage { reason += ": \(message)" }
                    if let crashFile { reason += " (backtrace: \(crashFile))" }
                    try fail(job, reason: reason, worker: batch.tag)
                } else {
                    try index.releaseJobs([job.id], worker: batch.tag, reason: "requeued: its worker stopped before starting it", at: now)
                }
            }
            if running.isEmpty { index.compactLogQuietly() }
        }
    }

    /// Kills workers past their job's timeout, and every worker once a shutdown's grace is over.
    func enforceDeadlines() throws {
        let now = Date()
        for batch in running.values where !batch.timedOut && batch.deadline(timeout: configuration.jobTimeout) <= now {
            batch.timedOut = true
            log.warning("worker \(batch.process.pid) ran past --timeout \(String(format: "%g", configuration.jobTimeout)) s; killing it")
            batch.process.kill(SIGKILL)
        }
        if let deadline = shutdownDeadline, deadline <= now {
            for batch in running.values { batch.process.kill(SIGKILL) }
        }
    }
}

extension Daemon {
    /// A job's metric as the log names it: the request as typed, so two configurations of one
    /// plugin (`hessian-spectrum:runs=4,steps=40`, `hessian-spectrum:mode=per-batch`) stay apart.
    /// A job's log fields.
    static func fields(_ job: Job, _ more: Logging.Logger.Metadata = [:]) -> Logging.Logger.Metadata {
        let fields: Logging.Logger.Metadata = [
            "job": .stringConvertible(job.id), "checkpoint": "\(job.checkpointSHA256)", "plugin": "\(job.key.plugin)", "path": "\(job.path)",
        ]
        return fields.merging(more) { $1 }
    }

    /// Seconds with millisecond precision, for logs.
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    static func label(_ key: PluginKey) -> String {
        let request = key.paramsJSON.flatMap { try? JobParameters(json: $0).request } ?? key.plugin
        return "\(request) (\(key.plugin) \(key.version))"
    }
}
