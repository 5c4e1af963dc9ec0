import Foundation
import Glibc
import Testing

/// The user's own workflow: a daemon on a store, a training run writing into it, and
/// `sharpq top --metric trace` — literally — showing the checkpoint with its Hessian trace.
@Suite(.serialized)
struct DaemonEndToEndTests {
    static let metrics = ["--metric", "accuracy", "--metric", "hessian-trace:probes=4", "--samples", "16"]

    @Test(.timeLimit(.minutes(3)))
    func aCheckpointTrainedIntoAWatchedStoreIsScoredAndQueryable() throws {
        let h = try DaemonHarness("e2e")
        guard h.hasExecutables else { return }
        let daemon = try h.start("sharpd", ["--store", "store"] + Self.metrics)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(h.wait(seconds: 10) { FileManager.default.fileExists(atPath: h.store + "/sharpd.pid") }, "\(h.log(of: daemon))")

        // Into folders that do not exist yet (the trainer creates them like mkdir -p).
        let written = try h.trainTinyModel(into: h.store + "/runs/2026/today")
        #expect(written.count == 1)
        let scored = h.wait(seconds: 60) {
            h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'hessian-trace' AND name = 'trace'") == 1
                && h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 2
        }
        #expect(scored, "the daemon did not score the checkpoint:\n\(h.log(of: daemon))")

        // The user's command, run where the store is the default `store/`.
        let (status, top) = try h.run("sharpq", ["top", "--metric", "trace"])
        #expect(status == 0, "\(top)")
        let lines = top.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("trace") && lines[1].contains("mlp-adam-s0"), "\(top)")
        let traceColumn = try #require(lines[0].split(separator: "\t").firstIndex(of: "trace"))
        let trace = Double(lines[1].split(separator: "\t")[traceColumn])
        #expect(trace.map { $0.isFinite && $0 > 0 } == true, "\(top)")

        // --store may come before the subcommand (moved after it), and a usage error exits 2.
        let (hoistedStatus, hoisted) = try h.run("sharpq", ["--store", h.store, "top", "--metric", "trace"])
        #expect(hoistedStatus == 0 && hoisted == top, "\(hoisted)")
        let (unknownStatus, unknown) = try h.run("sharpq", ["--store=\(h.store)", "top", "--metric", "tracee"])
        #expect(unknownStatus == 2 && unknown.contains("did you mean 'trace'"), "\(unknown)")

        // Short names resolve to plugin outputs, and `sharpq metrics` lists them.
        let (_, listed) = try h.run("sharpq", ["metrics"])
        for name in ["trace", "test_acc", "train_acc", "gap"] { #expect(listed.contains(name), "\(listed)") }
        let (accuracyStatus, accuracy) = try h.run("sharpq", ["top", "--metric", "test_acc"])
        #expect(accuracyStatus == 0 && accuracy.contains("mlp-adam-s0"), "\(accuracy)")

        // A copy of the same bytes adds a path, not a checkpoint, and no work.
        try FileManager.default.copyItem(atPath: written[0], toPath: h.store + "/copy-of-it.ckpt.tar.zst")
        #expect(h.wait(seconds: 10) { h.scalar("SELECT count(*) FROM checkpoint_paths") == 2 }, "\(h.log(of: daemon))")
        #expect(h.scalar("SELECT count(*) FROM checkpoints") == 1)
        #expect(h.scalar("SELECT count(*) FROM jobs") == 2)
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE name = 'trace'") == 1)

        // Idle: no CPU while nothing happens (no polling loop).
        let before = try #require(DaemonHarness.cpuTicks(of: daemon.processIdentifier))
        sleep(2)
        let after = try #require(DaemonHarness.cpuTicks(of: daemon.processIdentifier))
        #expect(after - before <= 1, "an idle sharpd used \(after - before) clock ticks in 2 s")

        // SIGTERM: a clean stop, exit 0, pid file gone.
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "\(h.log(of: daemon))")
        #expect(!FileManager.default.fileExists(atPath: h.store + "/sharpd.pid"))
    }

    @Test(.timeLimit(.minutes(2)))
    func aSecondDaemonOnTheSameStoreIsRefusedWithTheHoldersPid() throws {
        let h = try DaemonHarness("lock")
        guard h.hasExecutables else { return }
        let first = try h.start("sharpd", ["--store", "store"] + Self.metrics)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        #expect(h.wait(seconds: 10) { FileManager.default.fileExists(atPath: h.store + "/sharpd.pid") })
        let (status, output) = try h.run("sharpd", ["--store", "store", "--once"] + Self.metrics)
        #expect(status == 1)
        #expect(output.contains("another sharpd (pid \(first.processIdentifier)) is already running"), "\(output)")
        first.terminate()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func aMissingStoreOrUnknownMetricIsAOneLineErrorNotADaemon() throws {
        let h = try DaemonHarness("errors")
        guard h.hasExecutables else { return }
        let (missing, message) = try h.run("sharpd", ["--store", "no/such/dir", "--once"])
        #expect(missing == 1 && message.contains("no store directory at") && message.contains("no/such/dir"), "\(message)")
        let (unknown, text) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "no-such-metric"])
        #expect(unknown == 1 && text.contains("no-such-metric"), "\(text)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aJobPastItsTimeoutIsKilledAndFailedWithTheReasonAndTheRestStillRuns() throws {
        let h = try DaemonHarness("timeout")
        guard h.hasExecutables else { return }
        try h.trainTinyModel()
        // 900 HVPs cannot finish in a quarter of a second; the accuracy job after it still runs.
        let (status, output) = try h.run("sharpd", ["--store", "store", "--once", "--timeout", "0.25", "--samples", "16",
                                                    "--metric", "hessian-spectrum:runs=10,steps=90"])
        #expect(status == 1, "\(output)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'failed' AND error LIKE 'timed out after 0.25 s%'") == 1, "\(output)")
        let (again, second) = try h.run("sharpd", ["--store", "store", "--once", "--timeout", "60", "--metric", "accuracy"])
        #expect(again == 0 && h.scalar("SELECT count(*) FROM metrics WHERE name = 'test_acc'") == 1, "\(second)")
    }
}
