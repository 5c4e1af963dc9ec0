import Foundation
import Testing

@testable import Index
@testable import IndexQueries

/// What several daemons on one index share beyond the queue: registrations with leases on the
/// database's clock, and the claim that lets exactly one of them read a new file.
struct FleetIndexTests {
    static func record(_ id: String, host: String, store: String = "/store") -> DaemonRecord {
        DaemonRecord(id: id, host: host, pid: 7, store: store, softwareVersion: "test", startedAt: TestIndex.epoch,
                     heartbeatAt: TestIndex.epoch, isLive: true)
    }

    @Test(arguments: TestBackend.available)
    func daemonsAreLiveWhileTheirLeaseLastsAndARenewalExtendsIt(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        try t.index.registerDaemon(Self.record("a:1-x", host: "a"), lease: 60, at: TestIndex.epoch)
        try t.index.registerDaemon(Self.record("b:2-y", host: "b"), lease: 1.5, at: TestIndex.epoch)
        #expect(try t.index.daemons().map(\.isLive) == [true, true])
        Thread.sleep(forTimeInterval: 2)
        #expect(try t.index.daemons().map { "\($0.id) \($0.isLive)" } == ["a:1-x true", "b:2-y false"])
        _ = try t.index.renewLeases(daemon: "b:2-y", workers: [], lease: 60, at: TestIndex.epoch)
        #expect(try t.index.daemons().allSatisfy(\.isLive))
        try t.index.unregisterDaemons(["a:1-x"])
        #expect(try t.index.daemons().map(\.id) == ["b:2-y"])
        let status = try t.index.storeStatus(store: t.directory, at: TestIndex.epoch)
        #expect(status.daemons.map(\.id) == ["b:2-y"])
        #expect(status.lockScope == (backend == .postgres ? .host(DaemonProbe.hostName) : .store))
    }

    @Test(arguments: TestBackend.available)
    func exactlyOneDaemonHoldsAFilesIntakeClaimUntilItIsReleasedOrRunsOut(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let other = try t.opener()
        #expect(try t.index.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "a", lease: 1.5))
        #expect(try other.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "b", lease: 60) == false)
        #expect(try t.index.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "a", lease: 1.5))  // the holder again
        #expect(try other.claimIntake(path: "/s/b.ckpt.tar.zst", holder: "b", lease: 60))  // another file
        Thread.sleep(forTimeInterval: 2)
        #expect(try other.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "b", lease: 60))  // a's claim ran out
        try other.releaseIntake(path: "/s/a.ckpt.tar.zst", holder: "a")  // not a's to release any more
        #expect(try t.index.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "a", lease: 60) == false)
        try other.releaseIntake(path: "/s/a.ckpt.tar.zst", holder: "b")
        #expect(try t.index.claimIntake(path: "/s/a.ckpt.tar.zst", holder: "a", lease: 60))
    }

    @Test(arguments: TestBackend.available)
    func manyClaimersRacingForOneFileGetOneWinner(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let opener = t.opener
        let winners = Claims()
        DispatchQueue.concurrentPerform(iterations: 6) { w in
            do {
                let connection = try opener()
                for n in 0..<20 where try connection.claimIntake(path: "/s/\(n)", holder: "h\(w)", lease: 60) {
                    winners.add(Int64(n), worker: w)
                }
            } catch {
                winners.fail("\(error)")
            }
        }
        #expect(winners.errors.isEmpty)
        #expect(winners.ids.sorted() == (0..<20).map(Int64.init))
    }

    @Test(arguments: TestBackend.available)
    func onlyTheFirstQuarantineOfACheckpointCounts(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        #expect(try t.index.quarantineCheckpoint(id: id, reason: "bad", at: TestIndex.epoch))
        #expect(try t.index.quarantineCheckpoint(id: id, reason: "bad", at: TestIndex.epoch) == false)
    }

    @Test(arguments: TestBackend.available)
    func trainingRunsAreClaimedOnceLeasedFencedAndQueuedAgainOnlyWhenFailedOrDone(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let now = TestIndex.epoch
        #expect(try t.index.enqueueTraining(runID: "study-s-mlp-adam-s0", study: "s", specJSON: #"{"format":1}"#, at: now))
        #expect(try t.index.enqueueTraining(runID: "study-s-mlp-sam-s0", study: "s", specJSON: #"{"format":1}"#, at: now))
        #expect(try t.index.enqueueTraining(runID: "study-s-mlp-adam-s0", study: "s", specJSON: #"{"format":1}"#, at: now) == false)
        let first = try #require(try t.index.claimTraining(worker: "a:1-x:1", lease: 1.5, at: now))
        #expect(first.runID == "study-s-mlp-adam-s0" && first.state == .running && first.attempts == 1)
        let second = try #require(try t.index.claimTraining(worker: "b:2-y:1", lease: 60, at: now))
        #expect(second.runID == "study-s-mlp-sam-s0")
        #expect(try t.index.claimTraining(worker: "c:3-z:1", at: now) == nil)
        // a:1's lease runs out: its late completion is refused, and the run goes back to the queue.
        Thread.sleep(forTimeInterval: 2)
        #expect(try t.index.completeTraining(id: first.id, worker: "a:1-x:1", checkpoint: "/s/x.ckpt.tar.zst", at: now) == false)
        #expect(try t.index.requeueAbandonedJobs(maxAttempts: 5, at: now) == 1)
        let again = try #require(try t.index.claimTraining(worker: "c:3-z:1", at: now))
        #expect(again.id == first.id && again.attempts == 1)  // a lapsed lease is no crash of the run
        #expect(try t.index.renewLeases(daemon: "c:3-z", workers: ["c:3-z:1"], lease: 60, at: now) == ["c:3-z:1": 1])
        #expect(try t.index.completeTraining(id: again.id, worker: "c:3-z:1", checkpoint: "/s/a.ckpt.tar.zst", at: now))
        #expect(try t.index.failTraining(id: second.id, worker: "b:2-y:1", reason: "no such model", retryAt: nil, at: now))
        let runs = try t.index.trainingJobs(study: "s")
        #expect(runs.map(\.state) == [.done, .failed] && runs[0].checkpoint == "/s/a.ckpt.tar.zst" && runs[1].error == "no such model")
        // A failed run, or a done one whose checkpoint is gone, is queued again; a running one is not.
        #expect(try t.index.enqueueTraining(runID: "study-s-mlp-sam-s0", study: "s", specJSON: #"{"format":1}"#, at: now))
        #expect(try t.index.enqueueTraining(runID: "study-s-mlp-adam-s0", study: "s", specJSON: #"{"format":1}"#, at: now))
        #expect(try t.index.trainingJobs(study: "s").map(\.state) == [.queued, .queued])
        #expect(try t.index.trainingJobs(study: "other").isEmpty)
    }
}
