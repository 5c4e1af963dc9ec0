import Charts
import Checkpoint
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import PluginHost
import Scoring
import Training

/// `sharp study` end to end: train every cell (skipping finished ones), get the final checkpoints
/// scored, and write the report from the index.
public struct StudySession {
    /// How scoring is done (`--scoring`).
    public enum ScoringChoice: String, Sendable, CaseIterable {
        /// A live daemon, else `sharpd --once`, else in-process.
        case auto
        /// Wait for the live daemon (fails if there is none).
        case daemon
        /// Run `sharpd --once` (fails if there is no sharpd next to sharp).
        case once
        /// Score in this process.
        case inProcess = "in-process"
        /// Do not score (train and/or report only).
        case skip = "none"
    }

    /// The plan and where it lives.
    public let plan: StudyPlan
    public let layout: StudyLayout
    /// Train cells that are not finished (false: report what is there).
    public var train = true
    /// Put the cells on the index's training queue for `sharpd --train` on any host, and wait
    /// for them, instead of training them here (docs/fleet.md §7).
    public var distributed = false
    /// Scoring choice.
    public var scoring: ScoringChoice = .auto
    /// Where the report goes (nil: `<store>/study/<name>/report`; empty: no report).
    public var reportDirectory: String?
    /// Kernel threads (nil: all CPUs).
    public var threads: Int?
    /// Seconds to wait for a daemon.
    public var waitTimeout: TimeInterval = 6 * 3600
    /// Loss-landscape slices of the baseline and SAM (seed 0) per model in the report.
    public var landscapes = true
    /// Progress lines.
    public var log: (String) -> Void = { _ in }
    /// Per-cell training progress.
    public var progress: (StudyCell) -> TrainingProgress? = { _ in nil }

    /// A session of `plan` in `store`, its results in `index` (nil: `<store>/index.sqlite`).
    public init(plan: StudyPlan, store: String, index: IndexLocation? = nil) {
        self.plan = plan
        layout = StudyLayout(store: store, name: plan.name, index: index)
    }

    /// What a session did.
    public struct Summary: Sendable {
        /// Cells trained now, already finished (skipped, or reported on with --report-only), and
        /// without a final checkpoint.
        public var trained = 0, skipped = 0, unfinished = 0
        /// The final checkpoints.
        public var checkpoints: [String] = []
        /// How they were scored (nil: not scored).
        public var route: StudyScoring.Route?
        /// Files of the report.
        public var reportFiles: [String] = []
    }

    /// Runs the session.
    public func run() throws -> Summary {
        var summary = Summary()
        let registry = PluginRegistry(store: layout.store)
        if train && distributed {
            var queue = StudyQueue(plan: plan, layout: layout)
            queue.log = log
            queue.waitTimeout = waitTimeout
            let outcome = try queue.run(registry: registry)
            summary.checkpoints = outcome.finished
            summary.skipped = outcome.alreadyFinished
            summary.trained = outcome.finished.count - outcome.alreadyFinished
            summary.unfinished = outcome.unfinished.count
        } else if train {
            let trainer = try StudyTrainer(plan: plan, layout: layout, registry: registry)
            trainer.log = log
            trainer.progress = progress
            for (_, outcome) in try trainer.trainAll() {
                switch outcome {
                case .skipped: summary.skipped += 1
                case .trained: summary.trained += 1
                }
                summary.checkpoints.append(outcome.path)
            }
        } else {
            for cell in plan.cells {
                if let path = layout.finalCheckpoint(of: cell) {
                    summary.checkpoints.append(path)
                    summary.skipped += 1
                } else {
                    summary.unfinished += 1
                }
            }
        }
        if scoring != .skip, !summary.checkpoints.isEmpty {
            var scorer = StudyScoring(plan: plan, store: layout.store, index: layout.index)
            scorer.log = log
            scorer.threads = threads
            scorer.waitTimeout = waitTimeout
            let route: StudyScoring.Route
            switch scoring {
            case .auto: route = scorer.automaticRoute()
            case .daemon:
                let daemon = StudyScoring.liveDaemon(store: layout.store, scope: scorer.lockScope)
                if daemon.running {
                    route = .daemon(pid: daemon.pid)
                } else if layout.index.dialect.isShared, scorer.fleetIsLive() {
                    route = .fleet
                } else {
                    let lock = DaemonProbe.lockFile(store: layout.store, scope: scorer.lockScope)
                    throw StudyError("--scoring daemon: no sharpd holds \(lock); start one with `sharpd --store \(layout.store)`")
                }
            case .once:
                guard let path = StudyScoring.daemonExecutable() else { throw StudyError("--scoring once: no sharpd next to this sharp") }
                route = .once(executable: path)
            case .inProcess, .skip: route = .inProcess
            }
            log("scoring \(summary.checkpoints.count) final checkpoint(s) with \(route)")
            try scorer.score(summary.checkpoints, route: route)
            summary.route = route
        }
        let hasIndex = layout.index.mayHoldIndex
        if reportDirectory != "", scoring != .skip || hasIndex {
            summary.reportFiles = try writeReport(checkpoints: summary.checkpoints, route: summary.route)
        } else if reportDirectory != "" {
            log("no index at \(layout.index) yet: no report (score the checkpoints, then --report-only)")
        }
        return summary
    }

    /// Reads the index and the final checkpoints' histories, writes the report.
    func writeReport(checkpoints: [String], route: StudyScoring.Route?) throws -> [String] {
        guard layout.index.mayHoldIndex else {
            throw StudyError("no index at \(layout.index): nothing was scored yet (run with --scoring auto)")
        }
        var hashes: [String] = [], histories: [String: String] = [:]
        var finals: [String: String] = [:]  // run id → path
        var runs: [String: StudyResults.RunInfo] = [:]
        for path in checkpoints {
            hashes.append(try Checkpoint.contentHash(of: path))
            if let checkpoint = try? Checkpoint.read(from: path) {
                let m = checkpoint.manifest
                histories[m.runID] = checkpoint.history
                finals[m.runID] = path
                runs[m.runID] = StudyResults.RunInfo(
                    epochs: m.training.epoch, stopReason: m.training.stopReason, trainAccuracy: m.training.trainAccuracy,
                    seconds: m.training.elapsedSeconds, version: m.software.version, commit: m.software.commit, cpu: m.software.cpu,
                    blas: m.software.blas)
            }
        }
        let index = try IndexStore(layout.index, mode: .readOnly)
        var results = try StudyResults.load(index: index, plan: plan, checkpoints: hashes, histories: histories)
        results.runs = runs
        var report = StudyReport(results: results)
        report.notes = ["store `\(layout.store)`; final checkpoints in `\(layout.directory)`"]
        if let route { report.notes.append("scored by \(route)") }
        let directory = reportDirectory ?? layout.reportDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files: [String] = []
        if landscapes {
            files += try writeLandscapes(finals: finals, directory: directory)
            report.extraFigures = files.map { path in
                let name = (path as NSString).lastPathComponent
                return (name, "Loss along a filter-normalised random direction (Li et al. 2018) around the seed-\(plan.seeds.first ?? 0) "
                    + "checkpoints of \(name.dropFirst(10).dropLast(4)), on the Hessian metrics' training samples")
            }
        }
        return try report.write(to: directory) + files
    }

    /// `landscape-<model>.svg`: 1-D filter-normalised slices of the baseline's and SAM's (or the
    /// first other optimizer's) seed-0 checkpoints, on the plan's evaluation samples.
    func writeLandscapes(finals: [String: String], directory: String) throws -> [String] {
        guard let seed = plan.seeds.first else { return [] }
        let other = plan.optimizers.contains("sam") ? "sam" : plan.optimizers.first { $0 != plan.baseline }
        var written: [String] = []
        var options = EvaluationOptions()
        options.sampleCount = plan.evaluationSamples
        let alphas = LossLandscape.grid(extent: 1, count: 21)
        for model in plan.models {
            var slices: [(name: String, color: String, points: [LossLandscape.Point])] = []
            for optimizer in [plan.baseline] + (other.map { [$0] } ?? []) {
                let cell = StudyCell(study: plan.name, model: model, optimizer: optimizer, seed: seed)
                guard let path = finals[cell.runID] else { continue }
                let subject = try ScoringSubject(path: path)
                if let n = options.sampleCount, n > subject.dataset.trainIndices.count { options.sampleCount = nil }
                let landscape = LossLandscape(context: try EvaluationContext(subject: subject, options: options))
                let points = try landscape.slice(landscape.direction(seed: 0), alphas: alphas)
                slices.append((optimizer, Colormap.optimizer(optimizer, index: plan.optimizers.firstIndex(of: optimizer) ?? 0), points))
            }
            guard !slices.isEmpty else { continue }
            let svg = LossLandscape.figure(
                title: "Loss landscape of \(model), seed \(seed): \(slices.map(\.name).joined(separator: " vs ")) (Li et al. 2018)",
                slices: slices, surface: nil)
            let path = (directory as NSString).appendingPathComponent("landscape-\(model).svg")
            try svg.write(to: path)
            written.append(path)
            log("landscape: \(path)")
        }
        return written
    }
}

/// A study failure a user can act on.
public struct StudyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
