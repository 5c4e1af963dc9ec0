import Checkpoint
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import PluginHost
import Testing
import Training

@testable import Study

/// Training cells, skipping finished ones, resuming interrupted ones, and a whole session with
/// in-process scoring — on an MLP and 64 phantoms at 32×32, so each test takes a second or two.
@Suite(.serialized)
struct StudyRunTests {
    static func tinyPlan(name: String = "tiny") -> StudyPlan {
        var plan = StudyPlan(
            name: name, models: ["mlp"], optimizers: ["adam"], seeds: [0], data: "bus-synth:count=64", imageSize: 32, maxEpochs: 2,
            untilTrainAccuracy: nil, checkpointEvery: 1,
            metrics: ["accuracy", "hessian-trace:probes=2", "hessian-spectrum:runs=1,steps=4"], evaluationSamples: 16)
        plan.learningRate = 1e-3
        return plan
    }

    static let registry = PluginRegistry()

    @Test func aSecondRunSkipsFinishedCells() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let plan = Self.tinyPlan()
        let layout = StudyLayout(store: store, name: plan.name)
        let first = try StudyTrainer(plan: plan, layout: layout, registry: Self.registry).trainAll()
        guard case .trained(let path, 0, _) = first[0].outcome else { Issue.record("not trained: \(first)"); return }
        #expect(path == layout.directory + "/study-tiny-mlp-adam-s0-e0002.ckpt.tar.zst")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(layout.partialCheckpoints(of: first[0].cell).isEmpty, "intermediate checkpoints are removed")
        let second = try StudyTrainer(plan: plan, layout: layout, registry: Self.registry).trainAll()
        #expect(second[0].outcome == .skipped(path: path))
    }

    @Test func anInterruptedCellResumesFromItsLastCheckpoint() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let plan = Self.tinyPlan()
        let cell = plan.cells[0]
        // The run as it would have gone without interruption, in another study folder.
        let straightLayout = StudyLayout(store: store + "/straight", name: plan.name)
        let straight = try StudyTrainer(plan: plan, layout: straightLayout, registry: Self.registry).train(cell)
        // Interrupted after epoch 1: only the intermediate checkpoint is there.
        let layout = StudyLayout(store: store + "/resumed", name: plan.name)
        let runner = try StudyTrainer(plan: plan, layout: layout, registry: Self.registry)
        var configuration = try runner.configuration(for: cell)
        configuration.maxEpochs = 1
        try FileManager.default.createDirectory(atPath: layout.workDirectory, withIntermediateDirectories: true)
        try Trainer(configuration: configuration, registry: Self.registry).run()
        #expect(layout.partialCheckpoints(of: cell).map(\.epoch) == [1])
        #expect(layout.finalCheckpoint(of: cell) == nil)

        let outcome = try runner.train(cell)
        guard case .trained(let path, let fromEpoch, _) = outcome else { Issue.record("not trained: \(outcome)"); return }
        #expect(fromEpoch == 1)
        let resumed = try Checkpoint.read(from: path), reference = try Checkpoint.read(from: straight.path)
        #expect(resumed.manifest.training.epoch == 2)
        #expect(resumed.history.split(separator: "\n").count == 3)
        #expect(resumed.modelTensors.map(\.tensor.doubles) == reference.modelTensors.map(\.tensor.doubles), "resume is bit-exact")
    }

    @Test func aStudyFolderRefusesOtherSettings() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let plan = Self.tinyPlan()
        _ = try StudyTrainer(plan: plan, layout: StudyLayout(store: store, name: plan.name), registry: Self.registry)
        var other = plan
        other.data = "bus-synth:count=80"
        #expect(throws: TrainingError.self) {
            _ = try StudyTrainer(plan: other, layout: StudyLayout(store: store, name: plan.name), registry: Self.registry)
        }
        var wider = plan
        wider.seeds = [0, 1]  // more cells, same settings: fine
        _ = try StudyTrainer(plan: wider, layout: StudyLayout(store: store, name: plan.name), registry: Self.registry)
    }

    /// plan.json as builds before the canonical JSON writer wrote it (`1.0`, where it is now `1`).
    @Test func aPlanWrittenByAnOlderBuildStillMatches() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        var plan = Self.tinyPlan()
        plan.untilTrainAccuracy = 1
        let layout = StudyLayout(store: store, name: plan.name)
        try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        let older = #"{"batch_size":16,"data":"bus-synth:count=64","image_size":32,"learning_rate":0.001,"#
            + #""max_epochs":2,"until_train_accuracy":1.0}"#
        try (older + "\n").write(toFile: layout.planFile, atomically: true, encoding: .utf8)
        #expect(plan.settingsJSON == older.replacingOccurrences(of: "1.0}", with: "1}"))
        _ = try StudyTrainer(plan: plan, layout: layout, registry: Self.registry)
        plan.untilTrainAccuracy = 0.99
        #expect(throws: TrainingError.self) { _ = try StudyTrainer(plan: plan, layout: layout, registry: Self.registry) }
    }

    /// A stale `sharpd.pid` naming a live, unrelated process: the study must not signal it (it
    /// once sent SIGHUP, which kills most programs) and must score without a daemon.
    @Test func aStalePidFileOfAnotherProcessIsLeftAloneAndTheStudyScoresAnyway() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["120"]
        try sleeper.run()
        defer { sleeper.terminate() }
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try "\(sleeper.processIdentifier)\n".write(toFile: store + "/sharpd.pid", atomically: true, encoding: .utf8)
        var session = StudySession(plan: Self.tinyPlan(), store: store)
        session.scoring = .auto
        session.landscapes = false
        let summary = try session.run()
        #expect(summary.trained == 1)
        #expect(summary.route != nil && summary.route != .daemon(pid: sleeper.processIdentifier) && summary.route != .daemon(pid: nil))
        let index = try IndexStore(store: store, mode: .readOnly)
        let results = try StudyResults.load(index: index, plan: Self.tinyPlan())
        #expect(results.summary("adam", "mlp", "test_acc") != nil, "scored without a daemon")
        #expect(sleeper.isRunning, "the unrelated process was signalled")
    }

    @Test func aSessionTrainsScoresInProcessAndReports() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        var plan = Self.tinyPlan()
        plan.optimizers = ["adam", "sam"]
        var session = StudySession(plan: plan, store: store)
        session.scoring = .inProcess
        let summary = try session.run()
        #expect(summary.trained == 2 && summary.skipped == 0 && summary.route == .inProcess)
        let names = Set(summary.reportFiles.map { ($0 as NSString).lastPathComponent })
        #expect(names.isSuperset(of: ["report.md", "results.csv", "summary.csv", "fig2-accuracy.svg", "density-mlp.svg", "curves-mlp.svg",
                                      "landscape-mlp.svg"]))
        let index = try IndexStore(store: store, mode: .readOnly)
        let results = try StudyResults.load(index: index, plan: plan)
        for optimizer in plan.optimizers {
            #expect(results.summary(optimizer, "mlp", "test_acc") != nil)
            #expect(results.summary(optimizer, "mlp", "trace") != nil)
            #expect(results.summary(optimizer, "mlp", "elapsed_seconds") != nil)
        }
        #expect(results.densities.count == 2)
        let md = try String(contentsOfFile: store + "/study/tiny/report/report.md", encoding: .utf8)
        #expect(md.contains("## Table 2. mlp") && md.contains("(1 pair)"))
        for path in summary.reportFiles where path.hasSuffix(".svg") {
            #expect(StudyFixtures.xmlError(try String(contentsOfFile: path, encoding: .utf8)) == nil, "\(path)")
        }
        // Again: nothing to train, nothing to score (the results are found by their keys).
        let rows = try index.readOnlyQuery("SELECT count(*) FROM metrics").rows[0][0]
        let again = try session.run()
        #expect(again.trained == 0 && again.skipped == 2)
        #expect(try IndexStore(store: store, mode: .readOnly).readOnlyQuery("SELECT count(*) FROM metrics").rows[0][0] == rows)

        // --report-only counts the finished cells it reports on.
        var reportOnly = session
        reportOnly.train = false
        reportOnly.scoring = .skip
        let report = try reportOnly.run()
        #expect(report.trained == 0 && report.skipped == 2 && report.unfinished == 0 && report.checkpoints.count == 2)
    }
}
