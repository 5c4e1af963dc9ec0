import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// Jobs: queued for what is missing, claimed by exactly one worker, recovered after a crash.
struct JobQueueTests {
    let trace1 = PluginKey(plugin: "hessian-trace", version: "1.0.0")
    let trace2 = PluginKey(plugin: "hessian-trace", version: "2.0.0")

    @Test(arguments: TestBackend.available)
    func onlyMissingWorkIsQueuedAndANewPluginVersionBackfillsEverything(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let scored = try t.checkpoint(1)
        try t.checkpoint(2)
        try t.metric(scored, "hessian-trace", "trace", 3, version: "1.0.0")
        #expect(try t.index.enqueueJobs(checkpointID: nil, plugins: [trace1], priority: JobPriority.backfill) == 1)
        #expect(try t.index.enqueueJobs(checkpointID: nil, plugins: [trace1], priority: JobPriority.backfill) == 0)
        #expect(try t.index.enqueueJobs(checkpointID: nil, plugins: [trace2], priority: JobPriority.backfill) == 2)
    }

    @Test(arguments: TestBackend.available)
    func newCheckpointsAreClaimedBeforeBackfillAndBackfillRunsNewestFirst(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let old = try t.checkpoint(1, minutes: 1), newer = try t.checkpoint(2, minutes: 2)
        try t.index.enqueueJobs(checkpointID: nil, plugins: [trace1], priority: JobPriority.backfill)
        let dropped = try t.checkpoint(3, minutes: 0)  // just copied in, though written long ago
        try t.index.enqueueJobs(checkpointID: dropped, plugins: [trace1], priority: JobPriority.newCheckpoint)
        var order: [Int64] = []
        while let job = try t.index.claimNextJob(worker: "w", at: TestIndex.epoch) { order.append(job.checkpointID) }
        #expect(order == [dropped, newer, old])
    }

    @Test(arguments: TestBackend.available)
    func concurrentClaimersNeverGetTheSameJob(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        for n in 0..<300 { try t.checkpoint(n) }
        #expect(try t.index.enqueueJobs(checkpointID: nil, plugins: [trace1], priority: 0) == 300)
        let claimed = Claims()
        let group = DispatchGroup(), ready = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        let connect = t.opener
        for w in 0..<4 {
            group.enter()
            ready.enter()
            Thread {
                defer { group.leave() }
                let connection: IndexStore
                do { connection = try connect() } catch {  // each thread its own connection
                    claimed.fail("\(error)")
                    ready.leave()
                    return
                }
                // Claim only once all four are connected, so that a busy machine cannot let the
                // first thread take every job before the others have started.
                ready.leave()
                gate.wait()
                do {
                    while let job = try connection.claimNextJob(worker: "worker-\(w)", at: Date()) {
                        claimed.add(job.id, worker: w)
                        // A worker works between claims; without a pause SQLite's lock, which is not
                        // fair, can let one thread take every job while the others back off.
                        usleep(1000)
                    }
                } catch {
                    claimed.fail("\(error)")
                }
            }.start()
        }
        ready.wait()
        for _ in 0..<4 { gate.signal() }
        group.wait()
        #expect(claimed.errors.isEmpty)
        #expect(claimed.ids.count == 300)
        #expect(Set(claimed.ids).count == 300)
        #expect(try t.count("SELECT count(*) FROM jobs WHERE state = 'running' AND attempts = 1") == 300)
        #expect(claimed.workers.count > 1, "expected the claims to interleave between workers")
    }

    @Test(arguments: TestBackend.available)
    func completingRecordsResultsAndOnlyTheHolderMayComplete(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        try t.index.enqueueJobs(checkpointID: id, plugins: [trace1], priority: 100)
        let job = try #require(try t.index.claimNextJob(worker: "a", at: TestIndex.epoch))
        #expect(job.state == .running && job.attempts == 1 && job.path.hasSuffix("ckpt-1.ckpt.tar.zst"))
        let results = ScoringResults(metrics: [MetricRecord(checkpointID: id, key: trace1, name: "trace", value: 7)])
        #expect(try t.index.completeJob(id: job.id, worker: "b", results: results, at: TestIndex.epoch) == false)
        #expect(try t.count("SELECT count(*) FROM metrics") == 0)
        #expect(try t.index.completeJob(id: job.id, worker: "a", results: results, at: TestIndex.epoch))
        #expect(try t.rows("SELECT state FROM jobs") == [[.text("done")]])
        #expect(try t.count("SELECT count(*) FROM metrics") == 1)
        #expect(try t.index.claimNextJob(worker: "a", at: TestIndex.epoch) == nil)
    }

    @Test(arguments: TestBackend.available)
    func aFailureWithARetryTimeIsQueuedAgainOnlyAfterIt(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        try t.index.enqueueJobs(checkpointID: try t.checkpoint(1), plugins: [trace1], priority: 0)
        let job = try #require(try t.index.claimNextJob(worker: "a", at: TestIndex.epoch))
        let later = TestIndex.epoch.addingTimeInterval(30)
        #expect(try t.index.failJob(id: job.id, worker: "a", reason: "EAGAIN", retryAt: later, at: TestIndex.epoch))
        #expect(try t.index.claimNextJob(worker: "a", at: TestIndex.epoch.addingTimeInterval(10)) == nil)
        let retry = try #require(try t.index.claimNextJob(worker: "a", at: later))
        #expect(retry.attempts == 2 && retry.error == "EAGAIN")
        #expect(try t.index.failJob(id: job.id, worker: "a", reason: "SIGSEGV in plugin crashy 0.1", retryAt: nil, at: later))
        let failed = try t.index.jobs(state: .failed, limit: 0)
        #expect(failed.total == 1 && failed.jobs.first?.error == "SIGSEGV in plugin crashy 0.1")
    }

    @Test(arguments: TestBackend.available)
    func expiredLeasesAndDeadDaemonsJobsAreRequeuedAndTheirLateResultsRefused(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        for n in 1...3 { try t.index.enqueueJobs(checkpointID: try t.checkpoint(n), plugins: [trace1], priority: 0) }
        let start = TestIndex.epoch
        let stale = try #require(try t.index.claimNextJob(worker: "a:101-1:1", lease: 2, at: start))
        let dead = try #require(try t.index.claimNextJob(worker: "b:102-2:1", lease: 60, at: start))
        let alive = try #require(try t.index.claimNextJob(worker: "c:103-3:1", lease: 2, at: start))
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try t.index.renewLeases(daemon: "c:103-3", workers: ["c:103-3:1"], lease: 60, at: start) == ["c:103-3:1": 1])
        Thread.sleep(forTimeInterval: 2)  // the stale lease is over on the database's clock; the renewed one is not
        #expect(try t.index.completeJob(id: stale.id, worker: "a:101-1:1", results: ScoringResults(), at: start) == false)
        #expect(try t.index.job(withID: stale.id)?.state == .running)  // refused, not yet taken back
        // Nor can its holder fail it for good: the job is the sweeper's now.
        #expect(try t.index.failJob(id: stale.id, worker: "a:101-1:1", reason: "refused", retryAt: nil, at: start) == false)
        let requeued = try t.index.requeueAbandonedJobs(deadDaemons: ["b:102-2"], maxAttempts: 3, at: start)
        #expect(requeued == 2)
        let queued = try t.rows("SELECT id FROM jobs WHERE state = 'queued'").compactMap { $0[0].int64 }
        #expect(Set(queued) == [stale.id, dead.id])
        #expect(try t.index.renewLeases(daemon: "a:101-1", workers: ["a:101-1:1"], lease: 60, at: start) == ["a:101-1:1": 0])
        let again = try #require(try t.index.claimNextJob(worker: "c:103-3:2", at: start))
        #expect(again.attempts == 2)
        #expect(try t.index.completeJob(id: alive.id, worker: "c:103-3:1", results: ScoringResults(), at: start))
    }

    @Test(arguments: TestBackend.available)
    func aJobWhoseWorkerKeepsDyingFailsAfterMaxAttempts(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        try t.index.enqueueJobs(checkpointID: try t.checkpoint(1), plugins: [trace1], priority: 0)
        for attempt in 1...2 {
            let job = try #require(try t.index.claimNextJob(worker: "d\(attempt):1", at: TestIndex.epoch))
            #expect(job.attempts == attempt)
            try t.index.requeueAbandonedJobs(deadDaemons: ["d\(attempt)"], maxAttempts: 2, at: TestIndex.epoch)
        }
        let failed = try t.index.jobs(state: .failed, limit: 0).jobs
        #expect(failed.count == 1)
        #expect(failed.first?.error?.contains("2 times") == true)
        #expect(try t.index.jobSummaries() == [JobSummary(plugin: "hessian-trace", version: "1.0.0", counts: [.failed: 1])])
    }
}

/// Thread-safe collection of claims for the concurrency test.
final class Claims: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int64] = []
    private(set) var workers: Set<Int> = []
    private(set) var errors: [String] = []

    func add(_ id: Int64, worker: Int) {
        lock.withLock {
            ids.append(id)
            workers.insert(worker)
        }
    }

    func fail(_ message: String) { lock.withLock { errors.append(message) } }
}
