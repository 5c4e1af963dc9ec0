import Checkpoint
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import IndexRecords
import Testing
import Training

@testable import Study

/// `sharp study --status`: each cell's state from the study folder, and the estimate of the
/// training left from finished cells of the same model and optimizer.
struct StudyStatusTests {
    @Test func finishedTrainingAndNotStartedCellsWithTheirEstimate() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        var plan = StudyRunTests.tinyPlan(name: "status")
        plan.seeds = [0, 1, 2]
        let layout = StudyLayout(store: store, name: plan.name)
        let runner = try StudyTrainer(plan: plan, layout: layout, registry: StudyRunTests.registry)
        let done = try runner.train(plan.cells[0])
        // Seed 1 interrupted after epoch 1; seed 2 not started.
        var configuration = try runner.configuration(for: plan.cells[1])
        configuration.maxEpochs = 1
        try Trainer(configuration: configuration, registry: StudyRunTests.registry).run()

        let status = try StudyStatus.gather(plan: plan, layout: layout, index: nil)
        let finished = try Checkpoint.read(from: done.path).manifest.training
        #expect(status.rows[0].state == .finished(epochs: 2, seconds: finished.elapsedSeconds, stopReason: "max-epochs"))
        guard case .started(1, let spent) = status.rows[1].state else {
            Issue.record("seed 1 is started, at epoch 1: \(status.rows[1].state)")
            return
        }
        #expect(status.rows[2].state == .notStarted)
        // The finished cell is the estimate: all of it for seed 2, the rest of it for seed 1.
        #expect(status.rows[2].remaining == finished.elapsedSeconds)
        #expect(status.rows[1].remaining == max(finished.elapsedSeconds - spent, 0))
        #expect(status.rows.allSatisfy { $0.scoring == nil })

        // With the finished checkpoint indexed (by its content hash) and one job queued for it,
        // its row shows that job.
        let index = try IndexStore(store: store)
        let size = ((try? FileManager.default.attributesOfItem(atPath: done.path))?[.size] as? Int) ?? 0
        let record = CheckpointRecord(manifest: try Checkpoint.read(from: done.path).manifest,
                                      sha256: try Checkpoint.contentHash(of: done.path), sizeBytes: size)
        let id = try index.upsertCheckpoint(record, path: done.path, at: Date()).id
        #expect(try index.enqueueJobs(checkpointID: id, plugins: [PluginKey(plugin: "accuracy", version: "1.0.0")], priority: 0, at: Date()) == 1)
        let scored = try StudyStatus.gather(plan: plan, layout: layout, index: index)
        #expect(scored.rows[0].scoring == StudyStatus.Scoring(done: 0, pending: 1, failed: 0))
        #expect(scored.rows[1].scoring == nil && scored.rows[2].scoring == nil)
        let text = status.text()
        #expect(text.contains("1 of 3 cells finished, 1 started, 1 not started"), "\(text)")
        #expect(text.contains("mlp adam s1") && text.contains("1+"), "\(text)")
    }
}
