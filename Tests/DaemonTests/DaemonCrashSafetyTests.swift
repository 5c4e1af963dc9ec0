import Foundation
import Glibc
import Testing

/// SIGKILL at random moments loses nothing and duplicates nothing: every job's results are
/// recorded in the transaction that marks it done, a restarted daemon requeues what was running,
/// and a worker whose daemon died stops (its lifeline pipe closes) instead of finishing late.
struct DaemonCrashSafetyTests {
    @Test(.timeLimit(.minutes(6)))
    func killingTheDaemonTenTimesWhileItScoresTwentyCheckpointsScoresEachExactlyOnce() throws {
        let h = try DaemonHarness("crash")
        guard h.hasExecutables else { return }
        let checkpoints = try h.trainTinyModel(epochs: 20, checkpointEvery: 1)
        #expect(checkpoints.count == 20)
        let arguments = ["--store", "store", "--workers", "2", "--metric", "accuracy", "--metric", "hessian-trace:probes=3",
                         "--samples", "16"]
        var generator = SystemRandomNumberGenerator()
        var requeues = 0
        // Ten kills, and more (up to 20) until one has landed mid-job: whether a kill does is
        // chance, and a run with none would prove nothing.
        for round in 0..<20 where round < 10 || requeues == 0 {
            let daemon = try h.start("sharpd", arguments)
            // Kill while it works: once a job is running (or it has been a while), after a random delay.
            _ = h.wait(seconds: 30) {
                h.scalar("SELECT count(*) FROM jobs WHERE state = 'running'") ?? 0 > 0
                    || (h.scalar("SELECT count(*) FROM jobs") ?? 0 > 0 && h.scalar("SELECT count(*) FROM jobs WHERE state = 'queued'") == 0)
            }
            usleep(UInt32.random(in: 0...600_000, using: &generator))
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            #expect(daemon.terminationReason == .uncaughtSignal, "round \(round): the daemon had already exited:\n\(h.log(of: daemon))")
            if h.log(of: daemon).contains("left running by a sharpd that stopped") { requeues += 1 }
        }
        // The kills did land mid-job: restarts found jobs a killed daemon had left running.
        #expect(requeues > 0, "no kill interrupted a running job; the test proved nothing")
        // Workers of killed daemons notice and exit; then one clean run finishes the work.
        let (status, output) = try h.run("sharpd", arguments + ["--once"])
        #expect(status == 0, "\(output)")

        #expect(h.scalar("SELECT count(*) FROM checkpoints WHERE status = 'ok'") == 20)
        #expect(h.scalar("SELECT count(*) FROM jobs") == 40)
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 40, "\(output)")
        // Exactly one value per checkpoint and output: accuracy's five outputs, the trace's two.
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'accuracy'") == 100, "accuracy has five outputs")
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'hessian-trace'") == 40, "the trace has two outputs")
        #expect(h.scalar("SELECT count(*) FROM (SELECT checkpoint_id, plugin, name, count(*) AS n FROM metrics GROUP BY 1, 2, 3 HAVING n > 1)") == 0)
        // No half-written state: every done job has its rows, nothing is left running.
        #expect(h.scalar("""
            SELECT count(*) FROM jobs AS j WHERE j.state = 'done' AND NOT EXISTS
              (SELECT 1 FROM metrics AS m WHERE m.checkpoint_id = j.checkpoint_id AND m.plugin = j.plugin AND m.params_hash = j.params_hash)
            """) == 0)
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state IN ('running', 'failed')") == 0)
        let orphans = try h.run("/usr/bin/env", ["pgrep", "-f", "sharpd worker --store \(h.root)"])
        #expect(orphans.output.isEmpty, "workers outlived their daemon: \(orphans.output)")
    }
}
