import Foundation
import Glibc
import Testing

/// `sharp study` with a daemon running on its store (docs/study.md §Scoring): the study trains,
/// leaves the scoring to sharpd, waits on the index until every final checkpoint is scored, and
/// writes its report from the daemon's results.
@Suite(.serialized)
struct DaemonStudyTests {
    @Test(.timeLimit(.minutes(4)))
    func aStudyFollowsTheRunningDaemonAndReportsWhatItScored() throws {
        let h = try DaemonHarness("study")
        guard h.hasExecutables else { return }
        let study = [
            "study", "--store", "store", "--name", "tiny", "--models", "mlp", "--optimizers", "adam,sam", "--seeds", "2",
            "--data", "bus-synth:count=48", "--image-size", "16", "--epochs", "1", "--samples", "16", "--no-landscape",
            "--metric", "accuracy", "--metric", "hessian-trace:probes=4", "--metric", "hessian-eigen:k=1,max_steps=6",
        ]
        // The daemon scores exactly what the study would (the options tools/demo passes it too).
        let (printed, options) = try h.run("sharp", study + ["--print-sharpd-arguments"])
        #expect(printed == 0, "\(options)")
        let daemonArguments = options.split(separator: "\n").map(String.init)
        #expect(daemonArguments.contains("hessian-trace:probes=4"), "\(options)")
        let daemon = try h.start("sharpd", ["--store", "store"] + daemonArguments)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(h.wait(seconds: 10) { FileManager.default.fileExists(atPath: h.store + "/sharpd.pid") }, "\(h.log(of: daemon))")

        let (status, output) = try h.run("sharp", study)
        #expect(status == 0, "\(output)")
        #expect(output.contains("with the running sharpd (pid \(daemon.processIdentifier))"), "\(output)")
        #expect(output.contains("scoring: 4/4 indexed, 0 job(s) pending"), "\(output)")

        // Every job was the daemon's (the study scored nothing itself), 4 checkpoints × 3 metrics.
        #expect(h.scalar("SELECT count(*) FROM checkpoints") == 4)
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 12, "\(h.log(of: daemon))")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state <> 'done'") == 0)
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'hessian-trace' AND name = 'trace'") == 4)

        // The report's per-model table carries the daemon's numbers: a computed top eigenvalue
        // and trace (mean ± CI over the two seeds) for both optimizers.
        let report = try String(contentsOfFile: h.store + "/study/tiny/report/report.md", encoding: .utf8)
        #expect(report.contains("scored by the running sharpd (pid \(daemon.processIdentifier))"), "\(report)")
        let table = report.components(separatedBy: "## Table 2. mlp").last ?? ""
        for optimizer in ["adam", "sam"] {
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("| \(optimizer) |") }, "\(report)")
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let (eigenvalue, trace) = (cells[4], cells[cells.count - 1])
            for cell in [eigenvalue, trace] {
                #expect(Double(cell.split(separator: " ").first ?? "").map(\.isFinite) == true, "\(optimizer): '\(cell)' in \(row)")
            }
        }

        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "\(h.log(of: daemon))")
    }
}
