import Foundation
import Glibc
import Index

/// One training run a daemon started with `--train` holds: a `sharpd train-cell` process.
final class TrainingRun {
    let process: WorkerProcess
    /// The tag the run was claimed under (`host:pid-nonce:n`).
    let tag: String
    let job: TrainingJob
    let startedAt = Date()
    /// Set when its lease was lost (the run went back to the queue while this daemon was cut
    /// off) and the daemon killed it: nothing is settled for it.
    var leaseLost = false
    /// Set when the daemon killed it to stop (a shutdown): the run goes back to the queue.
    var stopped = false

    init(process: WorkerProcess, tag: String, job: TrainingJob) {
        self.process = process
        self.tag = tag
        self.job = job
    }
}

/// The training side (`sharpd --train`, docs/fleet.md §7): a distributed study's cells, one at a
/// time per daemon, beside the scoring workers. The run's process records its own success
/// (fenced by its lease, like a scoring job) or a failure of the run itself; the daemon settles
/// crashes, retrying twice.
extension Daemon {
    /// A run that crashed is tried this many times in all.
    static let trainingAttempts = 3

    /// Starts a training run when this daemon trains, holds none, and one is queued.
    func dispatchTraining() throws {
        guard configuration.train, training == nil, shutdownDeadline == nil else { return }
        let tag = nextWorkerTag
        guard let job = try index.claimTraining(worker: tag, lease: configuration.lease, at: Date()) else { return }
        workerSequence += 1
        do {
            let process = try WorkerProcess(
                executable: configuration.executable,
                arguments: ["train-cell", "--store", layout.root, "--worker", tag, "--job", String(job.id)],
                environment: layout.indexEnvironment.merging(["SHARP_THREADS": String(configuration.workerThreads)]) { $1 })
            training = TrainingRun(process: process, tag: tag, job: job)
            log.info("training \(job.runID) (attempt \(job.attempts); worker \(process.pid))")
        } catch {
            try index.failTraining(id: job.id, worker: tag, reason: "requeued: could not start a training worker",
                                   retryAt: Date(), at: Date())
            throw error
        }
    }

    /// Settles the training run whose process ended with `exit`.
    func settleTraining(exit: ExitStatus) throws {
        guard let run = training else { return }
        training = nil
        _ = run.process.readLines()
        run.process.closePipes()
        let now = Date()
        let minutes = String(format: "%.1f", now.timeIntervalSince(run.startedAt) / 60)
        if run.leaseLost { return }
        if exit == .exited(0) {
            tally.trained += 1
            log.info("trained \(run.job.runID) in \(minutes) min")
            return
        }
        if run.stopped {
            try index.releaseTraining(id: run.job.id, worker: run.tag, reason: "requeued: sharpd was stopped", at: now)
            return
        }
        let reason = "the training worker \(exit) after \(minutes) min"
        let retry = run.job.attempts < Self.trainingAttempts ? now.addingTimeInterval(30) : nil
        if try index.failTraining(id: run.job.id, worker: run.tag, reason: reason, retryAt: retry, at: now) {
            log.warning("\(run.job.runID): \(reason); " + (retry == nil ? "giving up after \(run.job.attempts) attempts" : "retrying in 30 s"))
            if retry == nil { tally.failed += 1 }
        }
    }

    /// Whether queued training runs remain (for `--once`).
    func trainingIsQueued() throws -> Bool {
        guard configuration.train else { return false }
        return try index.trainingJobs(study: nil).contains { $0.state == .queued || $0.state == .running }
    }
}
