import Foundation
import Index
import Testing

@testable import Study

/// How `sharp study` follows a running daemon: its pid file, and the index's view of the jobs.
struct ScoringRouteTests {
    @Test func aPidFileCountsOnlyWhenItsProcessIsAlive() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(StudyScoring.liveDaemon(store: store) == nil)
        try "\(getpid())\n".write(toFile: store + "/sharpd.pid", atomically: true, encoding: .utf8)
        #expect(StudyScoring.liveDaemon(store: store) == getpid())
        try "2147483000\n".write(toFile: store + "/sharpd.pid", atomically: true, encoding: .utf8)  // no such process
        #expect(StudyScoring.liveDaemon(store: store) == nil)
        try "garbage".write(toFile: store + "/sharpd.pid", atomically: true, encoding: .utf8)
        #expect(StudyScoring.liveDaemon(store: store) == nil)
    }

    @Test func progressCountsIndexedCheckpointsAndTheirOpenJobs() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let index = try SQLiteIndex(store: store)
        let now = Date(timeIntervalSince1970: 1_777_593_600)
        let hashes = [String(format: "%064d", 7), String(format: "%064x", 0xabc)]  // an all-digit hash stays text
        let id = try index.upsertCheckpoint(
            CheckpointRecord(sha256: hashes[0], runID: "r", createdAt: now, model: "mlp", optimizer: "adam", seed: 0), path: store + "/a",
            at: now
        ).id
        #expect(try index.enqueueJobs(checkpointID: id, plugins: [PluginKey(plugin: "accuracy", version: "1.0.0")], priority: 100, at: now) == 1)
        var state = try StudyScoring.progress(store: store, hashes: hashes)
        #expect(state.indexed == 1 && state.pending == 1 && state.done == 0)
        let job = try #require(try index.claimNextJob(worker: "w", at: now))
        #expect(try index.completeJob(id: job.id, worker: "w", results: ScoringResults(), at: now))
        state = try StudyScoring.progress(store: store, hashes: hashes)
        #expect(state.indexed == 1 && state.pending == 0 && state.done == 1)
    }

    @Test func theDaemonArgumentsScoreLikeThePlan() {
        let plan = StudyPlan.preset(.quick)
        let arguments = StudyScoring(plan: plan, store: "s").daemonArguments
        #expect(arguments.filter { $0 == "--metric" }.count == plan.metrics.count)
        #expect(Array(arguments.suffix(2)) == ["--samples", "64"])
        let paper = StudyPlan.preset(.paper)
        #expect(paper.cells.count == 4 * 6 * 3 && Set(paper.models) == ["vgg-mini", "resnet-mini", "vit-tiny", "swin-mini"])
        #expect(paper.untilTrainAccuracy == 1.0 && paper.maxEpochs == 400 && paper.data == "bus-synth" && paper.learningRate == 1e-4)
    }
}
