import Foundation
import Glibc
import Index
import IndexPresentation
import IndexQueries
import Statistics
import Testing

@testable import Study

/// How `sharp study` follows a running daemon: its pid file, and the index's view of the jobs.
struct ScoringRouteTests {
    /// A pid file proves nothing: only the holder of the store's lock is the daemon, and only the
    /// pid the kernel's lock table shows holding it may be signalled.
    @Test func onlyTheLockHolderIsTheDaemon() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(StudyScoring.liveDaemon(store: store) == (false, nil))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        defer { sleeper.terminate() }
        // A stale pid file naming a live, unrelated process; the lock file exists but nobody holds it.
        try "\(sleeper.processIdentifier)\n".write(toFile: DaemonProbe.pidFile(store: store), atomically: true, encoding: .utf8)
        let fd = open(DaemonProbe.lockFile(store: store), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(fd) }
        #expect(StudyScoring.liveDaemon(store: store) == (false, nil))
        #expect(StudyScoring(plan: StudyFixtures.plan, store: store).automaticRoute() != .daemon(pid: sleeper.processIdentifier))
        // Now this process holds the lock: it is the daemon, whatever the pid file says.
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(StudyScoring.liveDaemon(store: store) == (true, getpid()))
        #expect(DaemonProbe.lockHolder(store: store) == getpid())
        flock(fd, LOCK_UN)
        #expect(DaemonProbe.lockHolder(store: store) == nil)
        #expect(sleeper.isRunning)
    }

    @Test func progressCountsIndexedCheckpointsAndTheirOpenJobs() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let index = try IndexStore(store: store)
        let now = Date(timeIntervalSince1970: 1_777_593_600)
        let hashes = [String(format: "%064d", 7), String(format: "%064x", 0xabc)]  // an all-digit hash stays text
        let id = try index.upsertCheckpoint(
            CheckpointRecord(sha256: hashes[0], runID: "r", createdAt: now, model: "mlp", optimizer: "adam", seed: 0), path: store + "/a",
            at: now
        ).id
        #expect(try index.enqueueJobs(checkpointID: id, plugins: [PluginKey(plugin: "accuracy", version: "1.0.0")], priority: 100, at: now) == 1)
        var state = try StudyScoring.progress(index: .sqlite(path: IndexStore.path(forStore: store)), hashes: hashes)
        #expect(state.indexed == 1 && state.pending == 1 && state.done == 0)
        let job = try #require(try index.claimNextJob(worker: "w", at: now))
        #expect(try index.completeJob(id: job.id, worker: "w", results: ScoringResults(), at: now))
        state = try StudyScoring.progress(index: .sqlite(path: IndexStore.path(forStore: store)), hashes: hashes)
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
