import CoreMetrics
import Foundation

/// What sharpd counts as it goes, through swift-metrics (docs/daemon.md §7): `sharpd --http`
/// bootstraps the Prometheus backend and serves them on /metrics, next to the gauges it reads from
/// the index at each scrape (jobs by state and metric, checkpoints by status). Without a backend
/// (tests, `--once` without `--http`) every call does nothing.
enum DaemonMetrics {
    /// A job's attempt ended: `outcome` is `done`, `failed` (given up: a permanent failure, the
    /// last attempt, a crash, a timeout, a quarantined checkpoint) or `retry` (a transient failure
    /// with attempts left). `seconds` (the attempt's duration, when known) goes to the histogram.
    static func jobEnded(plugin: String, outcome: String, seconds: Double? = nil, hvps: Int = 0) {
        Counter(label: "sharpd_jobs_ended_total", dimensions: [("metric", plugin), ("outcome", outcome)]).increment()
        if let seconds {
            CoreMetrics.Timer(label: "sharpd_job_duration_seconds", dimensions: [("metric", plugin), ("outcome", outcome)])
                .recordNanoseconds(Int64(max(0, seconds) * 1e9))
        }
        if hvps > 0 { Counter(label: "sharpd_hvps_total", dimensions: [("metric", plugin)]).increment(by: hvps) }
    }

    /// A new checkpoint was indexed.
    static func checkpointIndexed() { Counter(label: "sharpd_checkpoints_indexed_total").increment() }

    /// A checkpoint was quarantined.
    static func checkpointQuarantined() { Counter(label: "sharpd_checkpoints_quarantined_total").increment() }

    /// A worker died without reporting (a signal or a crash report), or was killed at its timeout.
    static func workerCrashed(reason: String) { Counter(label: "sharpd_worker_crashes_total", dimensions: [("reason", reason)]).increment() }

    /// The planner read the plugins: one load per planned metric's plugin, or a failure.
    static func pluginsLoaded(_ plugins: [String]) {
        for plugin in plugins { Counter(label: "sharpd_plugin_loads_total", dimensions: [("plugin", plugin)]).increment() }
    }

    /// The planner could not read the plugins.
    static func pluginLoadFailed() { Counter(label: "sharpd_plugin_load_failures_total").increment() }
}
