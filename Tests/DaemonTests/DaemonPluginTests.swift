import Foundation
import Glibc
import PluginHost
import TestSupport
import Testing

/// Plugins reach a running daemon without a restart, and a plugin that crashes costs one job.
/// Both use one out-of-tree metric plugin scaffolded by `sharp plugin new` and built with
/// `swift build` (about half a minute), patched to segfault when SHARP_TEST_SEGFAULT is set and to
/// stop with a fatalError when SHARP_TEST_FATAL is.
@Suite(.serialized)
struct DaemonPluginTests {
    /// Scaffolds and builds the plugin; returns the path of its .so.
    static func buildProbePlugin(in h: DaemonHarness) throws -> String {
        let parent = h.root + "/plugin-src"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        _ = try PluginScaffold.create(kind: .metric, name: "curvature-probe", in: parent, sharpPackage: packageRoot)
        let source = parent + "/curvature-probe/Sources/CurvatureProbe/CurvatureProbe.swift"
        var text = try String(contentsOfFile: source, encoding: .utf8)
        text = "import Glibc\n" + text.replacingOccurrences(
            of: "public func evaluate(_ context: MetricContext) throws {",
            with: """
                public func evaluate(_ context: MetricContext) throws {
                    if getenv("SHARP_TEST_SEGFAULT") != nil { UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1 }
                    if getenv("SHARP_TEST_FATAL") != nil { fatalError("curvature-probe gave up on purpose") }
                """)
        try text.write(toFile: source, atomically: true, encoding: .utf8)
        let (status, output) = try h.run(swift, ["build", "--package-path", parent + "/curvature-probe"])
        #expect(status == 0, "swift build of the scaffolded metric failed:\n\(output.suffix(3000))")
        return parent + "/curvature-probe/.build/debug/libCurvatureProbe.so"
    }

    static var swift: String {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" } + ["/opt/swift/usr/bin/swift"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/swift"
    }

    @Test(.timeLimit(.minutes(10)))
    func aMetricPluginDroppedIntoTheStoreIsBackfilledWithoutARestartAndACrashingOneFailsOnlyItsJobs() throws {
        let h = try DaemonHarness("plugins")
        guard h.hasExecutables else { return }
        let library = try Self.buildProbePlugin(in: h)
        try h.trainTinyModel(seed: 1)
        try h.trainTinyModel(seed: 2)

        // A daemon scoring with every metric plugin it finds; the new one is not there yet.
        // (The slow built-ins are left out to keep the test short; new plugins still join.)
        let daemon = try h.start("sharpd", ["--store", "store", "--samples", "16", "--skip-metric", "hessian-spectrum",
                                            "--skip-metric", "hessian-eigen", "--skip-metric", "sharpness"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let settled = "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
        #expect(h.wait(seconds: 240) { h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") ?? 0 > 0 && h.scalar(settled) == 0 },
                "\(h.log(of: daemon))")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'curvature-probe'") == 0)

        // Drop it in the way an installer does (a temp name, then a rename into place).
        try FileManager.default.copyItem(atPath: library, toPath: h.store + "/plugins/.libCurvatureProbe.so.part")
        rename(h.store + "/plugins/.libCurvatureProbe.so.part", h.store + "/plugins/libCurvatureProbe.so")
        #expect(h.wait(seconds: 180) {
            h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'curvature-probe' AND name = 'power_top_eigenvalue'") == 2
        }, "existing checkpoints did not gain the new metric:\n\(h.log(of: daemon))")
        #expect(h.log(of: daemon).contains("curvature-probe@0.1.0 added; 2 backfill job(s) queued"), "\(h.log(of: daemon))")
        // Its declared short name is recorded, and sharpq takes it.
        #expect(h.scalarText("SELECT short_name FROM metric_names WHERE plugin = 'curvature-probe' AND name = 'power_top_eigenvalue'") == "power_top")
        let (listed, table) = try h.run("sharpq", ["top", "--store", "store", "--metric", "power_top"])
        #expect(listed == 0 && table.contains("power_top"), "\(table)")
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)

        // The same plugin, now segfaulting: each of its jobs fails with the signal recorded, and
        // the daemon goes on scoring everything else, including a checkpoint that arrives later.
        try h.trainTinyModel(seed: 3)
        let (status, output) = try h.run("sharpd", ["--store", "store", "--once", "--samples", "16", "--metric", "curvature-probe:iterations=4",
                                                    "--metric", "accuracy"], environment: ["SHARP_TEST_SEGFAULT": "1"])
        #expect(status == 1, "a failed job makes --once exit 1:\n\(output)")
        #expect(h.scalar("""
            SELECT count(*) FROM jobs WHERE plugin = 'curvature-probe' AND state = 'failed' AND error LIKE '%SIGSEGV%'
            """) == 3, "\(output)")
        // The crash's own words reach the job's error; its backtrace goes to a file, not the log.
        let error = h.scalarText("SELECT error FROM jobs WHERE plugin = 'curvature-probe' AND state = 'failed' LIMIT 1") ?? ""
        #expect(error.contains("Program crashed") && error.contains("(backtrace: \(h.store)/.sharpd/crashes/"), "\(error)")
        let crashFiles = (try? FileManager.default.contentsOfDirectory(atPath: h.store + "/.sharpd/crashes")) ?? []
        #expect(crashFiles.count == 3, "\(crashFiles)")
        #expect(output.split(separator: "\n").count < 40, "the log holds the backtraces:\n\(output)")
        #expect(output.contains("wrote a crash report"), "\(output)")
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'accuracy' AND name = 'test_acc'") == 3, "\(output)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')") == 0)

        // Failed jobs stay failed while nothing changes; a fixed plugin file under the same
        // version (here: the same file with a byte appended) gets them queued again.
        let arguments = ["--store", "store", "--once", "--samples", "16", "--metric", "curvature-probe:iterations=4", "--metric", "accuracy"]
        let (unchanged, _) = try h.run("sharpd", arguments)
        #expect(unchanged == 0)
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'curvature-probe' AND state = 'failed'") == 3)
        let installed = try FileHandle(forWritingTo: URL(fileURLWithPath: h.store + "/plugins/libCurvatureProbe.so"))
        try installed.seekToEnd()
        try installed.write(contentsOf: Data([0]))
        try installed.close()
        let (fixed, fixedLog) = try h.run("sharpd", arguments)
        #expect(fixed == 0, "\(fixedLog)")
        #expect(fixedLog.contains("curvature-probe 0.1.0: file changed; 3 failed curvature-probe job(s) queued again"), "\(fixedLog)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'curvature-probe' AND state = 'failed'") == 0, "\(fixedLog)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'curvature-probe' AND state = 'done'") == 5, "2 backfilled, 3 retried")

        // A plugin's fatalError: its message is the job's error.
        try h.trainTinyModel(seed: 4)
        let (fatal, fatalLog) = try h.run("sharpd", arguments, environment: ["SHARP_TEST_FATAL": "1"])
        #expect(fatal == 1, "\(fatalLog)")
        let reason = h.scalarText("SELECT error FROM jobs WHERE plugin = 'curvature-probe' AND state = 'failed' LIMIT 1") ?? ""
        #expect(reason.contains("Fatal error: curvature-probe gave up on purpose"), "\(reason)")
    }

    /// An optimizer without a perturbation (a Lookahead-like wrapper, in C) does not fail sharpness:
    /// the job is done and the log names what was skipped. One with a perturbation, dropped in
    /// later, changes the sharpness key, so every checkpoint is scored again with it.
    @Test(.timeLimit(.minutes(5)))
    func sharpnessSkipsAnOptimizerWithoutAPerturbationAndANewOneRequeuesIt() throws {
        let h = try DaemonHarness("sharpness-key")
        guard h.hasExecutables else { return }
        try h.trainTinyModel(seed: 1)
        try FileManager.default.createDirectory(atPath: h.store + "/plugins", withIntermediateDirectories: true)
        _ = try CFixture.build("CLookahead", in: h.store + "/plugins", defines: ["FIXTURE_WRAPPER", #"FIXTURE_NAME="c-lookahead""#])
        let arguments = ["--store", "store", "--once", "--samples", "16", "--metric", "sharpness:steps=1"]
        let (status, log) = try h.run("sharpd", arguments)
        #expect(status == 0, "\(log)")
        #expect(log.contains("c-lookahead 0.0.1 has no perturbation (it exports no perturb entry): no sharpness.c-lookahead"), "\(log)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'sharpness' AND state = 'done'") == 1, "\(log)")
        let params = h.scalarText("SELECT params FROM jobs WHERE plugin = 'sharpness'") ?? ""
        #expect(params.contains(#""optimizers":["asam@1.0.0","crsam@1.0.0","gsam@1.0.0","sam@1.0.0","wsam@1.0.0"]"#), "\(params)")

        _ = try CFixture.build("CZero", in: h.store + "/plugins", defines: ["FIXTURE_WRAPPER", "FIXTURE_PERTURB", #"FIXTURE_NAME="c-zero""#])
        let (again, againLog) = try h.run("sharpd", arguments)
        #expect(again == 0, "\(againLog)")
        #expect(h.scalar("SELECT count(*) FROM jobs WHERE plugin = 'sharpness' AND state = 'done'") == 2, "\(againLog)")
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE plugin = 'sharpness' AND name = 'sharpness.c-zero' AND value = 0") == 1, "\(againLog)")
    }
}
