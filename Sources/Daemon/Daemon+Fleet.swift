import Foundation
import Glibc
import Index

/// Several daemons on one index (docs/fleet.md): each registers itself, renews its own lease and
/// its jobs' leases, puts back the jobs of daemons whose leases ran out, and rescans the store
/// now and then, since inotify does not see the files other hosts write. With the SQLite index
/// there is one daemon, and the same code keeps its leases.
extension Daemon {
    /// This daemon's row, as registered.
    var registration: DaemonRecord {
        DaemonRecord(
            id: daemonID, host: host, pid: getpid(), store: layout.root, softwareVersion: configuration.softwareVersion,
            startedAt: startedAt, heartbeatAt: Date(), isLive: true)
    }

    /// Before the first claim: refuses an index that live daemons use with another store path,
    /// takes over the jobs of this lock scope's dead daemons at once (the lock proves them dead:
    /// every other daemon on the store with SQLite, this host's predecessors with a shared
    /// index), puts back every job whose lease ran out, and registers.
    func joinFleet() throws {
        let now = Date()
        let others = try index.daemons().filter { $0.id != daemonID }
        if let stranger = others.first(where: { $0.isLive && $0.store != layout.root }) {
            throw DaemonError.store(
                "sharpd \(stranger.id) on \(stranger.host) uses this index with the store at \(stranger.store), not \(layout.root); "
                    + "mount the shared store at the same path on every host (docs/fleet.md)")
        }
        let dead = others.filter { other in
            switch layout.lockScope {
            case .store: return true
            case .host(let name): return other.host == name
            }
        }.map(\.id)
        let requeued = try index.requeueAbandonedJobs(deadDaemons: dead, maxAttempts: Self.unlimited, at: now)
        if requeued > 0 { log.info("requeued \(requeued) job(s) left running by a sharpd that stopped") }
        try index.unregisterDaemons(dead)
        try index.registerDaemon(registration, lease: configuration.lease, at: now)
        nextRenewal = now.addingTimeInterval(configuration.lease / 3)
        if let interval = configuration.effectiveScanInterval { nextScan = now.addingTimeInterval(interval) }
        let fleet = others.filter { $0.isLive && !dead.contains($0.id) }
        if !fleet.isEmpty {
            log.info("joined \(fleet.count) other live sharpd(s) on this index: " + fleet.map { "\($0.id)" }.joined(separator: ", "))
        }
    }

    /// Renews this daemon's lease and its running workers' job leases, and puts back other
    /// daemons' expired jobs, when the renewal is due (every third of the lease). A worker whose
    /// jobs were taken away meanwhile (this daemon was cut off for longer than its lease) is
    /// killed: its results would be refused.
    func renewLeasesIfDue(now: Date = Date()) throws {
        guard let due = nextRenewal, due <= now else { return }
        let batches = Array(running.values)
        let held = try index.renewLeases(daemon: daemonID, workers: batches.map(\.tag) + (training.map { [$0.tag] } ?? []),
                                         lease: configuration.lease, at: now)
        if let run = training, !run.leaseLost, !run.stopped, (held[run.tag] ?? 0) == 0 {
            run.leaseLost = true
            log.warning("the training of \(run.job.runID) lost its lease (this sharpd lost the index for longer than --lease); "
                + "another daemon resumes it; killing the training worker")
            run.process.kill(SIGKILL)
        }
        nextRenewal = now.addingTimeInterval(configuration.lease / 3)
        for batch in batches where !batch.leaseLost && !batch.timedOut && (held[batch.tag] ?? 0) == 0 {
            guard batch.jobs.contains(where: { !batch.settled.contains($0.id) }) else { continue }
            batch.leaseLost = true
            log.warning("worker \(batch.process.pid) lost its jobs' lease (this sharpd lost the index for longer than --lease "
                + "\(String(format: "%g", configuration.lease)) s); other daemons run them; killing the worker")
            batch.process.kill(SIGKILL)
        }
        let requeued = try index.requeueAbandonedJobs(maxAttempts: Self.unlimited, at: now)
        if requeued > 0 { log.info("requeued \(requeued) job(s) whose lease ran out (a daemon died or lost the index)") }
    }

    /// Rescans the store for files written by other hosts, when the scan interval is due.
    func scanIfDue(now: Date = Date()) throws {
        guard let due = nextScan, due <= now, let interval = configuration.effectiveScanInterval else { return }
        try scanStore(priority: JobPriority.newCheckpoint, onlyChanged: true)
        nextScan = Date().addingTimeInterval(interval)
    }

    /// A job whose daemon died is not at fault (a plugin crash kills only its worker process, which
    /// the daemon reports itself), so such requeues never count towards failing the job.
    static let unlimited = Int(Int32.max)

    /// The fleet's deadlines, for the event loop's timeout.
    var fleetDeadlines: [Date] { [nextRenewal, nextScan].compactMap { $0 } }

    /// Removes this daemon's registration on a clean stop.
    func leaveFleet() {
        try? index.unregisterDaemons([daemonID])
    }
}
