import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `runs`, `status` and `export` end to end: exit codes, stdout vs stderr, formats.
@Suite(.enabled(if: SharpQProcess.isAvailable, "build sharpq first (swift build --build-tests)"))
struct SharpQRunsStatusExportTests {
    @Test func runsListsRunsAndUsageErrorsExit2() throws {
        let (t, _) = try RunsQueryTests.fixture(.sqlite)
        let piped = try SharpQProcess.run(["runs", "--limit", "2", "--store", t.directory])
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("run_id\tlast_created_at\tmodel\toptimizer\tbase_optimizer\tdataset\tseed\tcheckpoints\t"))
        #expect(piped.stdout.split(separator: "\n").map { $0.prefix(7) } == ["run_id\t", "sam-s2\t", "adam-s1"])
        #expect(piped.stderr == "… 1 more (use --limit N, or --limit 0 for all)\n")
        let json = try SharpQProcess.run(["runs", "--where", "optimizer=adam", "--format", "json", "--store", t.directory])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let rows = object?["rows"] as? [[String: Any]]
        #expect(rows?.count == 1 && rows?[0]["checkpoints"] as? Int == 3 && rows?[0]["last_epoch"] as? Int == 15)
        let unknown = try SharpQProcess.run(["runs", "--where", "optimiser=sam", "--store", t.directory])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("unknown field 'optimiser'; did you mean 'optimizer'? Valid: optimizer"))
        let metric = try SharpQProcess.run(["runs", "--metric", "trce", "--store", t.directory])
        #expect(metric.status == 2 && metric.stderr.contains("did you mean 'trace'"))
        let badLimit = try SharpQProcess.run(["runs", "--limit", "many", "--store", t.directory])
        #expect(badLimit.status == 2 && badLimit.stdout.isEmpty)
        let badWhere = try SharpQProcess.run(["runs", "--where", "optimizer", "--store", t.directory])
        #expect(badWhere.status == 2 && badWhere.stderr.contains("cannot read --where"))
    }

    @Test func statusSeesADaemonOnlyThroughItsLock() throws {
        let t = try TestIndex()
        try t.checkpoint(1)
        try "777\n".write(toFile: DaemonProbe.pidFile(store: t.directory), atomically: true, encoding: .utf8)
        let stopped = try SharpQProcess.run(["status", "--format", "json", "--store", t.directory])
        #expect(stopped.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(stopped.stdout.utf8)) as? [String: Any]
        let daemon = object?["daemon"] as? [String: Any]
        #expect(daemon?["running"] as? Bool == false && daemon?["stale_pid"] as? Int == 777)

        let fd = open(DaemonProbe.lockFile(store: t.directory), O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)  // this test process plays the daemon
        let table = try SharpQProcess.run(["status", "--format", "table", "--store", t.directory])
        #expect(table.status == 0 && table.stdout.contains("daemon:      running (pid 777)\n"))
        #expect(table.stdout.contains("checkpoints: 1 ok, 0 missing, 0 quarantined\n"))
        let piped = try SharpQProcess.run(["status", "--store", t.directory])
        #expect(piped.stdout.hasPrefix("key\tvalue\n") && piped.stdout.contains("\ndaemon.state\trunning\ndaemon.pid\t777\n"))
        #expect(!piped.stdout.contains("\u{1B}"))
        let missing = try SharpQProcess.run(["status", "--store", "/nonexistent-store"])
        #expect(missing.status == 1 && missing.stderr.contains("no index"))
        let badFormat = try SharpQProcess.run(["status", "--format", "xml", "--store", t.directory])
        #expect(badFormat.status == 2)
    }

    @Test func exportIsCSVByDefaultAndRefusesUnknownMetrics() throws {
        let (t, _) = try TopQueryTests.fixture(.sqlite)
        let csv = try SharpQProcess.run(["export", "--store", t.directory])
        #expect(csv.status == 0 && csv.stderr.isEmpty)
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 8 && lines[0].hasPrefix("checkpoint,created_at,run_id,") && lines[0].hasSuffix(",hp.lr,lambda_max,trace"))
        let long = try SharpQProcess.run(["export", "--long", "--format", "jsonl", "--store", t.directory])
        #expect(long.stdout.split(separator: "\n").count == 8)  // 6 trace rows (one NaN) + 2 lambda_max
        #expect(long.stdout.contains(#""value":null,"#) && long.stdout.contains(#""nonfinite":{"value":"NaN"}"#))
        let json = try SharpQProcess.run(["export", "--metric", "trace", "--format", "json", "--store", t.directory])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["count"] as? Int == 7 && object?["shape"] as? String == "wide")
        #expect((object?["columns"] as? [String])?.last == "trace")
        let unknown = try SharpQProcess.run(["export", "--metric", "trace,lamda_max", "--store", t.directory])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty && unknown.stderr.contains("did you mean 'lambda_max'"))
        let badFlag = try SharpQProcess.run(["export", "--wide", "--store", t.directory])
        #expect(badFlag.status == 2)
    }
}
