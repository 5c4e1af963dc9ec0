import Foundation
import Testing

/// `sharpd retry`: failed jobs, selected by what they are, are queued again and scored by the
/// next daemon; wrong selections are usage errors.
struct RetryCommandTests {
    @Test(.timeLimit(.minutes(3)))
    func failedJobsAreQueuedAgainAndScoredByTheNextDaemon() throws {
        let h = try DaemonHarness("retry")
        guard h.hasExecutables else { return }
        let files = try h.trainTinyModel(epochs: 2, checkpointEvery: 1)
        #expect(files.count == 2)
        // A timeout no job can meet: every job fails ("timed out").
        let (failing, log) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "hessian-trace:probes=400", "--metric", "accuracy",
                                                  "--samples", "16", "--timeout", "0.001"])
        #expect(failing == 1, "\(log)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'failed' AND error LIKE 'timed out%'") == 4, "\(log)")

        let (usage, text) = try h.run("sharpd", ["retry", "--store", "store"])
        #expect(usage == 64 || usage == 2, "\(text)")
        #expect(text.contains("say which failed jobs"), "\(text)")
        let (byMetric, metricText) = try h.run("sharpd", ["retry", "--store", "store", "--metric", "accuracy"])
        #expect(byMetric == 0 && metricText.contains("2 failed job(s) queued again"), "\(metricText)")
        let sha = try #require(h.scalarText("SELECT sha256 FROM checkpoints ORDER BY id LIMIT 1"))
        let (byCheckpoint, checkpointText) = try h.run("sharpd", ["retry", "--store", "store", "--checkpoint", String(sha.prefix(8))])
        #expect(byCheckpoint == 0 && checkpointText.contains("1 failed job(s) queued again"), "\(checkpointText)")
        let (all, allText) = try h.run("sharpd", ["retry", "--store", "store", "--all"])
        #expect(all == 0 && allText.contains("1 failed job(s) queued again"), "\(allText)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'queued' AND attempts = 0") == 4)

        let (scored, scoredLog) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "hessian-trace:probes=400", "--metric", "accuracy",
                                                       "--samples", "16"])
        #expect(scored == 0, "\(scoredLog)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 4, "\(scoredLog)")
    }
}
