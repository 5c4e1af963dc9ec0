import Datasets
import Foundation
import JSON
import NN
import PluginHost
import Training

/// Trains a study's cells in-process (each a `Trainer` run with the cell's run id), skipping
/// finished cells and resuming interrupted ones from their last intermediate checkpoint.
public final class StudyTrainer {
    /// What happened to one cell.
    public enum Outcome: Sendable, Equatable {
        /// It was finished before; nothing was done.
        case skipped(path: String)
        /// It was trained now (from `fromEpoch`, 0 for a fresh start) to its final checkpoint.
        case trained(path: String, fromEpoch: Int, seconds: Double)

        /// The final checkpoint.
        public var path: String {
            switch self {
            case .skipped(let p), .trained(let p, _, _): return p
            }
        }
    }

    /// The plan and where it lives.
    public let plan: StudyPlan
    public let layout: StudyLayout
    let registry: PluginRegistry
    /// Receives one line per event (start, skip, resume, finish).
    public var log: (String) -> Void = { _ in }
    /// Makes the per-batch/epoch progress sink of a cell (nil: none).
    public var progress: (StudyCell) -> TrainingProgress? = { _ in nil }
    /// Asked right before a finished cell's checkpoint is moved into place: false stops the
    /// move (a distributed study's run whose lease ran out: another host owns the cell now).
    public var mayFinish: () throws -> Bool = { true }

    /// A trainer for `plan` in `layout`; fails if the study folder was made with other settings.
    public init(plan: StudyPlan, layout: StudyLayout, registry: PluginRegistry) throws {
        self.plan = plan
        self.layout = layout
        self.registry = registry
        try checkSettings()
    }

    /// Trains every cell not yet finished; returns one outcome per cell, in plan order.
    @discardableResult
    public func trainAll() throws -> [(cell: StudyCell, outcome: Outcome)] {
        let cells = plan.cells
        var outcomes: [(StudyCell, Outcome)] = []
        for (i, cell) in cells.enumerated() {
            let outcome = try train(cell, number: i + 1, of: cells.count)
            outcomes.append((cell, outcome))
        }
        return outcomes
    }

    /// Trains one cell to its final checkpoint (or finds it finished).
    public func train(_ cell: StudyCell, number: Int = 1, of total: Int = 1) throws -> Outcome {
        let tag = "[\(number)/\(total)] \(cell.model) \(cell.optimizer) seed \(cell.seed)"
        if let done = layout.finalCheckpoint(of: cell) {
            log("\(tag): finished before, skipped (\((done as NSString).lastPathComponent))")
            return .skipped(path: done)
        }
        try FileManager.default.createDirectory(atPath: layout.workDirectory, withIntermediateDirectories: true)
        let clock = Date()
        let trainer: Trainer
        var fromEpoch = 0
        if let last = layout.partialCheckpoints(of: cell).last {
            trainer = try Trainer.resume(from: last.path, registry: registry, maxEpochs: plan.maxEpochs, store: layout.workDirectory)
            fromEpoch = trainer.epoch
            if Self.isFinal(trainer, plan: plan) {  // interrupted between writing the final checkpoint and moving it
                let path = try finish(cell, finalPath: last.path)
                log("\(tag): finished at epoch \(fromEpoch) (moved into place)")
                return .trained(path: path, fromEpoch: fromEpoch, seconds: 0)
            }
            log("\(tag): resuming from epoch \(fromEpoch)")
        } else {
            trainer = try Trainer(configuration: try configuration(for: cell), registry: registry)
            log("\(tag): training (\(trainer.dataset.trainIndices.count) train / \(trainer.dataset.testIndices.count) test images)")
        }
        let (reason, written) = try trainer.run(progress: progress(cell))
        guard let final = written.last, Self.isFinal(trainer, plan: plan) else {
            throw TrainingError.checkpoint("\(cell.runID): training stopped without a final checkpoint")
        }
        let path = try finish(cell, finalPath: final)
        let last = trainer.history.last
        log(String(format: "%@: %@ after epoch %d, train accuracy %.3f, %.1f s", tag, reason.rawValue, trainer.epoch,
                   last?.trainAccuracy ?? .nan, Date().timeIntervalSince(clock)))
        return .trained(path: path, fromEpoch: fromEpoch, seconds: Date().timeIntervalSince(clock))
    }

    /// The cell's training configuration: the plan's settings, the cell's model, optimizer and
    /// seed (initialisation and data order), checkpoints into the work folder.
    public func configuration(for cell: StudyCell) throws -> TrainingConfiguration {
        let spec = try DatasetSpec(commandLine: plan.data, size: plan.imageSize)
        return TrainingConfiguration(
            model: ModelConfiguration(name: cell.model, inputChannels: 1, inputSize: plan.imageSize, classes: try classCount(spec), seed: cell.seed),
            dataset: spec, optimizer: cell.optimizer, learningRate: plan.learningRate, batchSize: plan.batchSize,
            maxEpochs: plan.maxEpochs, untilTrainAccuracy: plan.untilTrainAccuracy, seed: cell.seed,
            checkpointEvery: plan.checkpointEvery, store: layout.workDirectory, runID: cell.runID)
    }

    private var classes: Int?

    /// Classes of the dataset (2 for bus-synth; a folder's or .npz's own count, read once).
    private func classCount(_ spec: DatasetSpec) throws -> Int {
        if spec.kind == .busSynth { return 2 }
        if let classes { return classes }
        let count = try spec.build().classNames.count
        classes = count
        return count
    }

    /// Whether the trainer's state is a finished run under the plan's stopping rule.
    static func isFinal(_ trainer: Trainer, plan: StudyPlan) -> Bool {
        if trainer.epoch >= plan.maxEpochs { return true }
        guard let until = plan.untilTrainAccuracy, let last = trainer.history.last else { return false }
        return last.trainAccuracy >= until
    }

    /// Moves the final checkpoint into the study folder and removes the cell's work files. If
    /// the cell was finished meanwhile (by another host of a distributed study), that checkpoint
    /// stays, already indexed perhaps, and this one goes.
    private func finish(_ cell: StudyCell, finalPath: String) throws -> String {
        let files = FileManager.default
        guard try mayFinish() else {
            throw TrainingError.checkpoint("\(cell.runID): not moved into place: this run no longer holds the cell")
        }
        if let existing = layout.finalCheckpoint(of: cell) {
            try? files.removeItem(atPath: finalPath)
            return existing
        }
        let target = (layout.directory as NSString).appendingPathComponent((finalPath as NSString).lastPathComponent)
        try files.moveItem(atPath: finalPath, toPath: target)
        for partial in layout.partialCheckpoints(of: cell) { try? files.removeItem(atPath: partial.path) }
        return target
    }

    /// Records the plan's settings on first use; refuses a study folder made with others.
    private func checkSettings() throws {
        let files = FileManager.default
        try files.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        let settings = plan.settingsJSON
        if let recorded = try? String(contentsOfFile: layout.planFile, encoding: .utf8) {
            let recordedSettings = recorded.trimmingCharacters(in: .whitespacesAndNewlines)
            guard Self.sameSettings(recordedSettings, settings) else {
                throw TrainingError.invalidConfiguration(
                    "\(layout.directory) holds a study trained with other settings (\(recordedSettings)); these are \(settings). "
                        + "Use --name to start another study, or delete that folder.")
            }
        } else {
            try (settings + "\n").write(toFile: layout.planFile, atomically: true, encoding: .utf8)
        }
    }

    /// Whether two `plan.json` texts hold the same settings, compared as JSON values: a file
    /// written before Sources/JSON/JSONWriter.swift spelled `"until_train_accuracy":1.0` where
    /// it now writes `1`.
    static func sameSettings(_ recorded: String, _ settings: String) -> Bool {
        guard recorded != settings else { return true }
        let decoder = JSONDecoder()
        guard let a = try? decoder.decode(JSONValue.self, from: Data(recorded.utf8)),
            let b = try? decoder.decode(JSONValue.self, from: Data(settings.utf8))
        else { return false }
        return a == b
    }
}
