import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `status`: the daemon found by its lock (not its pid file), checkpoints by status, the queue
/// split into runnable / waiting for a retry / waiting for a file, running jobs, failures, and
/// quarantined files.
struct StatusTests {
    let spectrum = PluginKey(plugin: "hessian-spectrum", version: "1.0.0")
    let now = TestIndex.epoch.addingTimeInterval(3600)

    /// Checkpoints 1–6 ok, 7 missing (its file went away), one unreadable file; a spectrum job
    /// for each ok and missing checkpoint. Claims go newest first and skip 7: 6 is running, 5
    /// failed for good, 4 waits for a retry at +10 min, 1–3 are runnable, 7 waits for its file.
    func fixture(_ backend: TestBackend) throws -> TestIndex {
        let t = try TestIndex(backend)
        var ids: [Int64] = []
        for n in 1...7 { ids.append(try t.checkpoint(n)) }
        try t.index.enqueueJobs(checkpointID: nil, plugins: [spectrum], priority: 0, at: TestIndex.epoch)
        try t.index.markPathMissing("\(t.directory)/ckpt-7.ckpt.tar.zst", at: TestIndex.epoch)
        try t.index.recordUnreadableFile(
            sha256: TestIndex.hash(99), path: "\(t.directory)/quarantine/bad.ckpt.tar.zst", sizeBytes: 3, reason: "truncated",
            at: TestIndex.epoch)
        // Claim order is newest first: 6, 5, 4 …; claim three and settle them.
        let claimed = try (0..<3).map { _ in try #require(try t.index.claimNextJob(worker: "host:1", at: TestIndex.epoch)) }
        try t.index.failJob(id: claimed[1].id, worker: "host:1", reason: "out of memory", retryAt: nil, at: now.addingTimeInterval(-60))
        try t.index.failJob(
            id: claimed[2].id, worker: "host:1", reason: "busy", retryAt: now.addingTimeInterval(600), at: now.addingTimeInterval(-30))
        return t
    }

    @Test(arguments: TestBackend.available)
    func theQueueIsSplitByWhatEachJobWaitsFor(_ backend: TestBackend) throws {
        let t = try fixture(backend)
        let status = try t.index.storeStatus(store: t.directory, at: now)
        #expect(status.checkpoints == ["ok": 6, "missing": 1, "quarantined": 1])
        let jobs = status.jobs
        #expect(jobs.runnable == 3 && jobs.waitingForRetry == 1 && jobs.waitingForFile == 1 && jobs.queued == 5)
        #expect(jobs.running == 1 && jobs.done == 0 && jobs.failed == 1)
        #expect(jobs.nextRetryAt == now.addingTimeInterval(600))
        #expect(status.running.map(\.worker) == ["host:1"] && status.running[0].claimedAt == TestIndex.epoch)
        #expect(status.recentFailures.map(\.error) == ["out of memory"])
        // After the retry time the waiting job is runnable.
        let later = try t.index.storeStatus(store: t.directory, at: now.addingTimeInterval(601))
        #expect(later.jobs.runnable == 4 && later.jobs.waitingForRetry == 0 && later.jobs.nextRetryAt == nil)
    }

    @Test(arguments: TestBackend.available)
    func onlyTheFiveMostRecentFailuresAreListedNewestFirst(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        for n in 1...7 { try t.checkpoint(n) }
        try t.index.enqueueJobs(checkpointID: nil, plugins: [spectrum], priority: 0, at: TestIndex.epoch)
        for i in 0..<7 {
            let job = try #require(try t.index.claimNextJob(worker: "w:1", at: TestIndex.epoch))
            try t.index.failJob(id: job.id, worker: "w:1", reason: "reason \(i)", retryAt: nil, at: TestIndex.epoch.addingTimeInterval(Double(i)))
        }
        let status = try t.index.storeStatus(store: t.directory, at: now)
        #expect(status.jobs.failed == 7)
        #expect(status.recentFailures.map(\.error) == ["reason 6", "reason 5", "reason 4", "reason 3", "reason 2"])
        #expect(status.summary().contains("failed (7 in all; 5 most recent"))
    }

    @Test(arguments: TestBackend.available)
    func theDaemonIsRunningOnlyWhileSomeoneHoldsTheLock(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        #expect(DaemonProbe.state(store: t.directory) == .stopped(stalePID: nil))
        try "4242\n".write(toFile: DaemonProbe.pidFile(store: t.directory), atomically: true, encoding: .utf8)
        #expect(DaemonProbe.state(store: t.directory) == .stopped(stalePID: 4242))  // a pid file alone proves nothing
        let fd = open(DaemonProbe.lockFile(store: t.directory), O_RDWR | O_CREAT, 0o644)
        #expect(DaemonProbe.state(store: t.directory) == .stopped(stalePID: 4242))  // the file exists, unlocked
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(DaemonProbe.state(store: t.directory) == .running(pid: 4242))
        #expect(DaemonProbe.state(store: t.directory) == .running(pid: 4242))  // the probe left the lock alone
        flock(fd, LOCK_UN)
        close(fd)
        #expect(DaemonProbe.state(store: t.directory) == .stopped(stalePID: 4242))
    }

    @Test(arguments: TestBackend.available)
    func quarantinedFilesAreCountedByTheirReasonNotes(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let folder = DaemonProbe.quarantineDirectory(store: t.directory)
        #expect(DaemonProbe.quarantinedFiles(store: t.directory) == 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["a.ckpt.tar.zst", "a.ckpt.tar.zst.reason.txt", "b.ckpt.tar.zst.1", "b.ckpt.tar.zst.1.reason.txt"] {
            try "x".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        #expect(try t.index.storeStatus(store: t.directory).quarantinedFiles == 2)
    }

    @Test(arguments: TestBackend.available)
    func jsonSummaryAndKeyValueRowsCarryTheSameFacts(_ backend: TestBackend) throws {
        let t = try fixture(backend)
        let status = try t.index.storeStatus(store: t.directory, at: now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json().text.utf8)) as? [String: Any])
        let daemon = try #require(object["daemon"] as? [String: Any])
        #expect(daemon["running"] as? Bool == false && daemon["state"] as? String == "stopped")
        let jobs = try #require(object["jobs"] as? [String: Any])
        #expect(jobs["runnable"] as? Int == 3 && jobs["waiting_for_retry"] as? Int == 1 && jobs["queued"] as? Int == 5)
        #expect(jobs["next_retry_at"] as? String == "2026-05-01T01:10:00Z")
        #expect((object["checkpoints"] as? [String: Any])?["quarantined"] as? Int == 1)
        let running = try #require(object["running"] as? [[String: Any]])
        #expect(running.count == 1 && running[0]["worker"] as? String == "host:1" && running[0]["since"] as? String == "2026-05-01T00:00:00Z")
        #expect((object["recent_failures"] as? [[String: Any]])?.first?["error"] as? String == "out of memory")

        let tsv = status.keyValueTable().render(as: .tsv).stdout
        #expect(tsv.hasPrefix("key\tvalue\nstore\t\(t.directory)\n"))
        #expect(tsv.contains("\njobs.runnable\t3\n") && tsv.contains("\njobs.waiting_for_retry\t1\n") && tsv.contains("\ndaemon.state\tstopped\n"))

        let summary = status.summary()
        #expect(summary.contains("daemon:      not running\n"))
        #expect(summary.contains("checkpoints: 6 ok, 1 missing, 1 quarantined\n"))
        #expect(summary.contains("5 queued (3 runnable now; 1 waiting for a retry, next at 2026-05-01T01:10:00Z; 1 waiting for a missing or quarantined file), 1 running, 0 done, 1 failed"))
        #expect(summary.contains("running (1): no daemon holds the lock"))
        #expect(summary.contains("1h00m"))  // running for an hour
        #expect(!summary.contains("\u{1B}"))
    }

    @Test func agesReadAsDurations() {
        #expect(StoreStatus.age(45) == "45s" && StoreStatus.age(125) == "2m05s")
        #expect(StoreStatus.age(3 * 3600 + 7 * 60) == "3h07m" && StoreStatus.age(2 * 86400 + 4 * 3600) == "2d04h")
    }
}
