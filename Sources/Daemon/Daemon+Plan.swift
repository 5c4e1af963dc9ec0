import Foundation
import Glibc
import Index

/// The metric plan comes from a child process (`sharpd plan`): loading plugins in the daemon
/// itself would pin their code forever (plugins are never unloaded, and a replaced file at the
/// same path would not be loaded again), so the daemon never loads one.
extension Daemon {
    /// Re-reads the plugins; queues jobs for every planned metric not yet scored (for a new
    /// plugin or version: a backfill of every indexed checkpoint, newest first, behind new ones).
    func refreshPlan(initial: Bool) throws {
        replanAt = nil
        let fresh: [PlannedMetric]
        do {
            fresh = try runPlanner()
            DaemonMetrics.pluginsLoaded(fresh.map(\.key.plugin))
        } catch {
            DaemonMetrics.pluginLoadFailed()
            if initial { throw error }
            log.warning("keeping the current metrics: \(error)")
            return
        }
        let added = fresh.filter { p in !plan.contains { $0.key == p.key } }
        plan = fresh
        try retryJobsOfReplacedPlugins()
        guard !added.isEmpty else { return }
        let queued = try index.enqueueJobs(checkpointID: nil, plugins: added.map(\.key), priority: JobPriority.backfill, at: Date())
        if !initial || queued > 0 {
            log.info("metrics now: " + added.map { "\($0.request)@\($0.key.version)" }.joined(separator: ", ")
                + " added; \(queued) backfill job(s) queued")
        }
    }

    /// A plugin file replaced under the same version (a fix that kept the version): the failed jobs
    /// of every metric whose results depend on it (`sharpness`: on the optimizers too) get another chance.
    private func retryJobsOfReplacedPlugins() throws {
        var recorded: [String: Bool] = [:]  // plugin NUL version → its file changed
        var retriedMetrics = Set<String>()
        for metric in plan {
            var changed: [String] = []
            for file in metric.pluginFiles {
                let id = file.plugin + "\u{0}" + file.version
                if recorded[id] == nil {
                    recorded[id] = try index.recordPluginFile(plugin: file.plugin, version: file.version, sha256: file.sha256, at: Date())
                }
                if recorded[id] == true { changed.append("\(file.plugin) \(file.version)") }
            }
            guard !changed.isEmpty, retriedMetrics.insert(metric.key.plugin + "\u{0}" + metric.key.paramsHash).inserted else { continue }
            let retried = try index.retryFailedJobs(
                RetryFilter(plugin: metric.key.plugin, version: metric.key.version, paramsHash: metric.key.paramsHash), at: Date())
            log.info("\(changed.joined(separator: ", ")): file changed; \(retried) failed \(metric.key.plugin) job(s) queued again")
        }
    }

    /// Runs `sharpd plan` with this daemon's metric options and reads its plan.
    private func runPlanner() throws -> [PlannedMetric] {
        let process = try WorkerProcess(executable: configuration.executable, arguments: ["plan"] + configuration.planArguments,
                                        environment: configuration.layout.indexEnvironment)
        var output = ""
        var done = false
        let started = Date()
        while !done {
            var fd = pollfd(fd: process.reportFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 1000)
            let (lines, eof) = process.readLines()
            output += lines.map { $0 + "\n" }.joined()
            done = eof
            if !done, Date().timeIntervalSince(started) > 120 {
                process.kill(SIGKILL)
                done = true
            }
        }
        process.closePipes()
        var status: Int32 = 0
        while waitpid(process.pid, &status, 0) < 0 && errno == EINTR {}
        let exit = ExitStatus(waitStatus: status)
        guard exit == .exited(0) else {
            throw DaemonError.plan("could not read the metric plugins (`sharpd plan` \(exit)); see its message above")
        }
        return try MetricPlan.decode(output)
    }
}
