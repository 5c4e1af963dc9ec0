import Foundation
import Index
import IndexRecords
import PluginHost
import Scoring

/// One worker process's work (`sharpd worker`): score a batch of claimed jobs of one checkpoint,
/// recording each job's results in the same transaction that marks it done. The checkpoint is
/// read and its model and data rebuilt once per evaluation setting, and the metrics share the
/// scorer's cache of batch graphs. Plugins are loaded fresh here, so a plugin dropped in or
/// replaced after the daemon started is what this process runs.
public struct WorkerSession {
    /// The store.
    public let layout: StoreLayout
    /// The worker tag the jobs were claimed under.
    public let worker: String
    /// The jobs to run, in order.
    public let jobIDs: [Int64]
    /// Memory for the per-batch graph cache.
    public var cacheBytes = 2 << 30
    /// Cap on resident memory while scoring (`MemoryPlan`); 0: none.
    public var memoryBytes = EvaluationOptions.defaultMemoryBytes
    /// Receives the report lines.
    public let report: (WorkerReport) -> Void

    /// A session.
    public init(layout: StoreLayout, worker: String, jobIDs: [Int64], report: @escaping (WorkerReport) -> Void) {
        self.layout = layout
        self.worker = worker
        self.jobIDs = jobIDs
        self.report = report
    }

    /// Runs the batch. Every outcome is reported; nothing is thrown.
    public func run() {
        let index: IndexStore
        let jobs: [Job]
        do {
            index = try IndexStore(layout.index)
            jobs = try jobIDs.compactMap { try index.job(withID: $0) }.filter { $0.state == .running && $0.worker == worker }
        } catch {
            report(.checkpointFailed(failure: Self.failure(of: error), reason: "\(error)"))
            return
        }
        guard let path = jobs.first?.path else { return }
        let registry = PluginRegistry(store: layout.root)
        var groups: [(settings: EvaluationOptions, jobs: [(Job, JobParameters)])] = []
        for job in jobs {
            do {
                let parameters = try JobParameters(json: job.key.paramsJSON ?? "")
                if let g = groups.firstIndex(where: { $0.settings == parameters.evaluation }) {
                    groups[g].jobs.append((job, parameters))
                } else {
                    groups.append((parameters.evaluation, [(job, parameters)]))
                }
            } catch {
                report(.failed(job: job.id, failure: .permanent, reason: "\(error)"))
            }
        }
        for group in groups {
            let scorer: Scorer
            do {
                scorer = try Scorer(checkpoint: path, options: group.settings.withCache(cacheBytes, memory: memoryBytes > 0 ? memoryBytes : nil), registry: registry)
            } catch {
                report(.checkpointFailed(failure: Self.checkpointFailure(of: error, path: path), reason: "\(error)"))
                return
            }
            for (job, parameters) in group.jobs { run(job, parameters, scorer: scorer, index: index, registry: registry) }
        }
    }

    private func run(_ job: Job, _ parameters: JobParameters, scorer: Scorer, index: IndexStore, registry: PluginRegistry) {
        report(.begin(job: job.id))
        do {
            let plugin = try registry.metric(named: job.key.plugin)
            guard plugin.version == job.key.version else {
                report(.failed(job: job.id, failure: .permanent,
                               reason: "plugin \(job.key.plugin) is now version \(plugin.version) (job was for \(job.key.version)); the new version is scored by its own jobs"))
                return
            }
            let request = try MetricRequest(parsing: parameters.request)
            // The plugins a key names (sharpness: the optimizers too) may have changed since the job was planned.
            let current = try MetricJobKey(request: request, evaluation: scorer.context.options, registry: registry)
            guard current.parametersHash == job.key.paramsHash else {
                report(.failed(job: job.id, failure: .permanent,
                               reason: "this job's key is stale: the plugins behind \(parameters.request) changed since it was planned (the key is now \(current.parametersHash)); the current plan scores the checkpoint under that key"))
                return
            }
            let outcome = try scorer.run(request)
            for note in outcome.notes { report(.note(job: job.id, text: note)) }
            let results = ScoringResults(outcome, checkpointID: job.checkpointID, key: job.key)
            if try index.completeJob(id: job.id, worker: worker, results: results) {
                report(.done(job: job.id, hvps: outcome.scalars.map(\.hvpCount).max() ?? 0))
            } else {
                report(.failed(job: job.id, failure: .permanent, reason: "job was taken back before its results were recorded"))
            }
        } catch {
            report(.failed(job: job.id, failure: Self.failure(of: error), reason: "\(error)"))
        }
    }

    /// Transient: the index was busy or full; anything else will fail the same way again.
    static func failure(of error: Error) -> WorkerReport.Failure {
        if let e = error as? IndexError, e.isTransient { return .transient }
        return .permanent
    }

    /// A checkpoint that does not read is corrupt, unless it is simply gone; a model or dataset
    /// that cannot be rebuilt is a permanent failure (the archive itself is fine).
    static func checkpointFailure(of error: Error, path: String) -> WorkerReport.Failure {
        if case ScoringError.dataMissing = error { return .dataMissing }
        guard case ScoringError.unreadableCheckpoint = error else { return failure(of: error) }
        return FileManager.default.fileExists(atPath: path) ? .corrupt : .missing
    }
}
