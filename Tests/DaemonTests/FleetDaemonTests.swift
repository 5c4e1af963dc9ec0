import Foundation
import Glibc
import Index
import Testing
import TestSupport

/// Several sharpd processes, each its own "host" (SHARP_HOST), share one store and one PostgreSQL
/// index (docs/fleet.md): jobs are leased, a dead daemon's jobs move to the others, and nothing is
/// scored twice or lost.
struct FleetDaemonTests {
    /// One schema of the test server, and the daemons on it.
    final class Fleet {
        let h: DaemonHarness
        let url: String
        let server: String
        let schema: String
        let arguments: [String]
        private(set) var daemons: [String: Process] = [:]
        private(set) var all: [Process] = []

        init(_ name: String, server: String, arguments: [String]) throws {
            h = try DaemonHarness(name)
            self.server = server
            schema = PostgresTestServer.schemaName("f")
            try PostgresDatabase(url: server).run("CREATE SCHEMA \(schema)")
            url = PostgresTestServer.url(schema: schema, server: server) ?? server
            self.arguments = ["--store", "store", "--index", url] + arguments
        }

        deinit {
            for p in all where p.isRunning { kill(p.processIdentifier, SIGKILL) }
            _ = try? PostgresDatabase(url: server + (server.contains("?") ? "&" : "?") + "connect_timeout=2").run("DROP SCHEMA \(schema) CASCADE")
        }

        /// Starts (or restarts) the daemon of `host`.
        @discardableResult
        func start(_ host: String, launcher: [String] = []) throws -> Process {
            let process = launcher.isEmpty
                ? try h.start("sharpd", arguments, environment: ["SHARP_HOST": host])
                : try h.start(launcher[0], Array(launcher.dropFirst()) + ["\(h.bin)/sharpd"] + arguments, environment: ["SHARP_HOST": host])
            daemons[host] = process
            all.append(process)
            return process
        }

        func scalar(_ sql: String) -> Int64 {
            ((try? PostgresDatabase(url: url).scalar(sql).int64) ?? nil) ?? -1
        }

        /// Every daemon's log, in start order.
        var logs: String { all.map { h.log(of: $0) }.joined(separator: "\n") }
    }

    static var server: String? {
        guard let url = PostgresTestServer.url else {
            #expect(!PostgresTestServer.isRequired, "no PostgreSQL server given")
            return nil
        }
        return url
    }

    @Test(.timeLimit(.minutes(8)))
    func killingARandomDaemonTwentyTimesWhileThreeScoreFiftyCheckpointsScoresEachJobExactlyOnce() throws {
        guard let server = Self.server else { return }
        let fleet = try Fleet("fleet-kill", server: server, arguments: [
            "--metric", "accuracy", "--metric", "hessian-trace:probes=40", "--samples", "48", "--lease", "3", "--scan-interval", "2",
        ])
        let h = fleet.h
        guard h.hasExecutables else { return }
        let staging = h.root + "/staging"
        let trained = try h.trainTinyModel(into: staging, epochs: 50, checkpointEvery: 1)
        #expect(trained.count == 50)
        let hosts = ["host-a", "host-b", "host-c"]
        for host in hosts { try fleet.start(host) }
        #expect(h.wait(seconds: 20) { fleet.scalar("SELECT count(*) FROM daemons") == 3 }, "\(fleet.logs)")
        for path in trained { try FileManager.default.moveItem(atPath: path, toPath: h.store + "/" + (path as NSString).lastPathComponent) }

        var generator = SystemRandomNumberGenerator()
        var downUntil: [String: Date] = [:]
        var kills = 0, midJob = 0
        while kills < 20 {
            for (host, until) in downUntil where until <= Date() {
                try fleet.start(host)
                downUntil[host] = nil
            }
            let up = hosts.filter { downUntil[$0] == nil }
            guard let victim = up.randomElement(using: &generator), let process = fleet.daemons[victim] else { continue }
            // Kill while it works: once it holds a job (or a while has passed), after a random delay.
            let holding = h.wait(seconds: 8) {
                fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'running' AND worker LIKE '\(victim):%'") > 0
            }
            if holding { midJob += 1 }
            usleep(UInt32.random(in: 0...300_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            // Every fourth victim stays down past its lease, so the others must take its jobs over;
            // the rest come back at once and take their own predecessor's jobs back.
            downUntil[victim] = Date().addingTimeInterval(kills % 4 == 0 ? 6 : 0)
        }
        for (host, until) in downUntil.sorted(by: { $0.value < $1.value }) {
            if until > Date() { usleep(UInt32(until.timeIntervalSinceNow * 1_000_000)) }
            try fleet.start(host)
        }
        #expect(midJob >= 10, "most kills should land while the victim held a job; \(midJob) of 20 did")

        let finished = h.wait(seconds: 240) { fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 100 }
        #expect(finished, "\(fleet.logs)")
        #expect(fleet.scalar("SELECT count(*) FROM checkpoints WHERE status = 'ok'") == 50)
        #expect(fleet.scalar("SELECT count(*) FROM jobs") == 100)
        #expect(fleet.scalar("SELECT count(*) FROM jobs WHERE state IN ('running', 'failed', 'queued')") == 0)
        // Exactly one value per checkpoint and output: accuracy's five outputs, the trace's two.
        #expect(fleet.scalar("SELECT count(*) FROM metrics WHERE plugin = 'accuracy'") == 250)
        #expect(fleet.scalar("SELECT count(*) FROM metrics WHERE plugin = 'hessian-trace'") == 100)
        #expect(fleet.scalar("""
            SELECT count(*) FROM jobs AS j WHERE j.state = 'done' AND NOT EXISTS
              (SELECT 1 FROM metrics AS m WHERE m.checkpoint_id = j.checkpoint_id AND m.plugin = j.plugin AND m.params_hash = j.params_hash)
            """) == 0)
        // No job was completed twice: each completion logs one "scored" line, and a daemon killed
        // between its worker's commit and the report loses at most the line, never adds one.
        let scoredLines = fleet.logs.split(separator: "\n").filter { $0.contains("sharpd: scored ") }.count
        #expect(scoredLines <= 100, "\(scoredLines) completions logged for 100 jobs")
        // The work was spread, and jobs moved both ways: back to a restarted host, and over to others.
        #expect(fleet.scalar("SELECT count(DISTINCT substr(worker, 1, 6)) FROM jobs WHERE state = 'done'") == 3)
        #expect(fleet.logs.contains("left running by a sharpd that stopped"), "\(fleet.logs)")
        #expect(fleet.logs.contains("whose lease ran out"), "\(fleet.logs)")
        // Every file was read and indexed by exactly one daemon.
        let indexedLines = fleet.logs.split(separator: "\n").filter { $0.contains("sharpd: indexed ") }.count
        #expect(indexedLines <= 50)

        for process in fleet.daemons.values { process.terminate() }
        for process in fleet.daemons.values {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(h.log(of: process))")
        }
        #expect(fleet.scalar("SELECT count(*) FROM daemons") == 0, "a clean stop unregisters")
        let orphans = try h.run("/usr/bin/env", ["pgrep", "-f", "sharpd worker --store \(h.root)"])
        #expect(orphans.output.isEmpty, "workers outlived their daemon: \(orphans.output)")
    }

    @Test(.timeLimit(.minutes(6)))
    func threeDaemonsCarryOnAcrossTwoServerRestartsAndScoreEachJobOnce() throws {
        guard Self.server != nil else { return }
        let privateServer = try PrivatePostgresServer()  // restarted below: its own, not the shared one
        let fleet = try Fleet("fleet-restart", server: privateServer.url, arguments: [
            "--metric", "accuracy", "--metric", "hessian-trace:probes=40", "--samples", "48", "--lease", "20", "--scan-interval", "2",
        ])
        let h = fleet.h
        guard h.hasExecutables else { return }
        let trained = try h.trainTinyModel(into: h.root + "/staging", epochs: 30, checkpointEvery: 1)
        for host in ["host-a", "host-b", "host-c"] { try fleet.start(host) }
        #expect(h.wait(seconds: 20) { fleet.scalar("SELECT count(*) FROM daemons") == 3 }, "\(fleet.logs)")
        for path in trained { try FileManager.default.moveItem(atPath: path, toPath: h.store + "/" + (path as NSString).lastPathComponent) }
        #expect(h.wait(seconds: 60) { fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") >= 10 }, "\(fleet.logs)")
        #expect(privateServer.restart())
        #expect(h.wait(seconds: 60) { fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") >= 30 }, "\(fleet.logs)")
        #expect(privateServer.restart(pause: 4))
        #expect(h.wait(seconds: 180) { fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 60 }, "\(fleet.logs)")
        #expect(fleet.scalar("SELECT count(*) FROM jobs WHERE state <> 'done'") == 0)
        #expect(fleet.scalar("SELECT count(*) FROM metrics WHERE plugin = 'accuracy'") == 150)
        #expect(fleet.scalar("SELECT count(*) FROM metrics WHERE plugin = 'hessian-trace'") == 60)
        #expect(fleet.logs.contains("the index is unavailable"), "no daemon noticed the restarts:\n\(fleet.logs)")
        for (host, process) in fleet.daemons {
            #expect(process.isRunning, "\(host) died:\n\(h.log(of: process))")
            process.terminate()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(h.log(of: process))")
        }
    }

    /// tools/fleet-network's hosts (as root under tools/test): the bridge address the server
    /// listens on, then the network namespaces.
    static var network: (address: String, namespaces: [String])? {
        let words = (ProcessInfo.processInfo.environment["SHARP_TEST_FLEET_NETWORK"] ?? "").split(separator: " ").map(String.init)
        guard words.count >= 4 else {
            #expect(ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_FLEET_NETWORK"] == nil, "no simulated hosts given")
            if words.isEmpty { print("FleetDaemonTests: skipping the partition test: no simulated hosts (tools/test makes them as root)") }
            return nil
        }
        return (words[0], Array(words.dropFirst()))
    }

    static func fleetNetwork(_ arguments: [String]) -> Bool {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../tools/fleet-network").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(.timeLimit(.minutes(6)))
    func aHostCutOffForLongerThanItsLeaseLosesItsJobToTheOthersAndItsLateResultIsRefused() throws {
        guard let server = Self.server, let network = Self.network else { return }
        // Every daemon lives in a namespace of its own and reaches the server at the bridge address.
        let viaBridge = server.replacingOccurrences(of: "127.0.0.1", with: network.address)
        let fleet = try Fleet("fleet-partition", server: viaBridge, arguments: [
            "--metric", "hessian-trace:probes=4000", "--samples", "48", "--lease", "3", "--scan-interval", "1",
        ])
        let h = fleet.h
        guard h.hasExecutables else { return }
        let trained = try h.trainTinyModel(into: h.root + "/staging", epochs: 6, checkpointEvery: 1)
        let hosts = ["host-1", "host-2", "host-3"]
        for (host, namespace) in zip(hosts, network.namespaces) {
            try fleet.start(host, launcher: ["/usr/bin/env", "ip", "netns", "exec", namespace])
        }
        #expect(h.wait(seconds: 30) { fleet.scalar("SELECT count(*) FROM daemons") == 3 }, "\(fleet.logs)")
        for path in trained { try FileManager.default.moveItem(atPath: path, toPath: h.store + "/" + (path as NSString).lastPathComponent) }

        // Cut host-1 off while its worker is in the middle of a job (try again if the job slipped
        // through before the cut).
        var cut: (job: Int64, tag: String)?
        for _ in 0..<5 where cut == nil {
            var running: (Int64, String)?
            _ = h.wait(seconds: 60) {
                running = (try? PostgresDatabase(url: fleet.url).row(
                    "SELECT id, worker FROM jobs WHERE state = 'running' AND worker LIKE 'host-1:%' ORDER BY id LIMIT 1"))
                    .flatMap { $0 }.flatMap { row in row[0].int64.map { ($0, row[1].string ?? "") } }
                return running != nil
            }
            guard let (job, tag) = running else { break }
            #expect(Self.fleetNetwork(["partition", network.namespaces[0]]))
            let state = try PostgresDatabase(url: fleet.url).row("SELECT state, worker FROM jobs WHERE id = ?", [.integer(job)])
            if state?[0].string == "running" && state?[1].string == tag {
                cut = (job, tag)
            } else {
                #expect(Self.fleetNetwork(["heal", network.namespaces[0]]))
            }
        }
        let (job, tag) = try #require(cut, "host-1 never held a job long enough to be cut off mid-job:\n\(fleet.logs)")
        let partitioned = Date()
        // The others put the job back once its lease (3 s) runs out, and score it themselves.
        let moved = h.wait(seconds: 60) {
            fleet.scalar("SELECT count(*) FROM jobs WHERE id = \(job) AND state = 'done' AND worker NOT LIKE 'host-1:%'") == 1
        }
        #expect(moved, "\(fleet.logs)")
        let recorded = fleet.scalar(
            "SELECT count(*) FROM metrics AS m JOIN jobs AS j ON j.checkpoint_id = m.checkpoint_id AND j.plugin = m.plugin WHERE j.id = \(job)")
        let stamp = try PostgresDatabase(url: fleet.url).scalar(
            "SELECT max(m.recorded_at) FROM metrics AS m JOIN jobs AS j ON j.checkpoint_id = m.checkpoint_id AND j.plugin = m.plugin WHERE j.id = \(job)")
        if Date().timeIntervalSince(partitioned) < 8 { usleep(UInt32((8 - Date().timeIntervalSince(partitioned)) * 1_000_000)) }
        #expect(Self.fleetNetwork(["heal", network.namespaces[0]]))

        // Back on the network, host-1 learns it lost the job: its worker's commit is refused, or
        // the daemon's renewal finds the lease gone and stops the worker first. Either way the
        // result the others recorded stands, untouched.
        let cutOff = try #require(fleet.daemons["host-1"])
        let noticed = h.wait(seconds: 90) {
            let log = h.log(of: cutOff)
            return log.contains("lost its jobs' lease") || log.contains("taken back before its results were recorded")
        }
        #expect(noticed, "\(h.log(of: cutOff))")
        #expect(cutOff.isRunning, "the partition must not kill the daemon:\n\(h.log(of: cutOff))")
        #expect(h.wait(seconds: 120) { fleet.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 6 }, "\(fleet.logs)")
        #expect(fleet.scalar("SELECT count(*) FROM jobs WHERE state <> 'done'") == 0)
        #expect(recorded == 2, "the trace has two outputs")
        #expect(try PostgresDatabase(url: fleet.url).scalar(
            "SELECT max(m.recorded_at) FROM metrics AS m JOIN jobs AS j ON j.checkpoint_id = m.checkpoint_id AND j.plugin = m.plugin WHERE j.id = \(job)") == stamp,
            "a late result overwrote the one the others recorded")
        #expect(fleet.scalar("SELECT count(*) FROM jobs WHERE id = \(job) AND worker = '\(tag)'") == 0)
        #expect(fleet.scalar("SELECT count(*) FROM metrics") == 12)
        for process in fleet.daemons.values { process.terminate() }
        for process in fleet.daemons.values { process.waitUntilExit() }
    }

    @Test(.timeLimit(.minutes(8)))
    func aDistributedStudyOverThreeDaemonsReportsWhatTheSameStudyOnOneHostReportsCellForCell() throws {
        guard let server = Self.server else { return }
        let study = ["study", "--name", "dist", "--models", "vgg-mini", "--optimizers", "adam,sam", "--seeds", "2",
                     "--data", "bus-synth:count=480", "--image-size", "32", "--epochs", "8", "--checkpoint-every", "1",
                     "--samples", "16", "--metric", "accuracy", "--metric", "hessian-trace:probes=4", "--no-landscape"]
        let fleet = try Fleet("fleet-study", server: server, arguments: ["--train", "--lease", "3", "--scan-interval", "1"])
        let h = fleet.h
        guard h.hasExecutables else { return }
        let (printed, sharpdArguments) = try h.run("sharp", study + ["--print-sharpd-arguments"])
        #expect(printed == 0)
        let scoring = sharpdArguments.split(separator: "\n").map(String.init)

        // One host: the study trains its cells here and scores them with `sharpd --once`.
        let (single, singleLog) = try h.run("sharp", study + ["--store", "single", "--scoring", "once"])
        #expect(single == 0, "\(singleLog)")

        // Three hosts: the cells go on the queue; the daemons train and score them. One host dies
        // (kill -9) in the middle of a cell and stays down: another resumes that cell from its last
        // intermediate checkpoint once the lease has run out.
        let hosts = ["host-a", "host-b", "host-c"]
        var daemons: [String: Process] = [:]
        for host in hosts {
            daemons[host] = try h.start("sharpd", fleet.arguments + scoring, environment: ["SHARP_HOST": host])
        }
        let coordinator = try h.start("sharp", study + ["--store", "store", "--index", fleet.url, "--distributed"])
        var victim: String?
        _ = h.wait(seconds: 120) {
            let partial = (try? FileManager.default.contentsOfDirectory(atPath: h.store + "/study/dist/.partial")) ?? []
            guard let run = try? PostgresDatabase(url: fleet.url).row(
                "SELECT run_id, worker FROM training_jobs WHERE state = 'running' ORDER BY id LIMIT 1"),
                let runID = run[0].string, let worker = run[1].string,
                partial.contains(where: { $0.hasPrefix(runID + "-e0002") })
            else { return false }
            victim = String(worker.prefix(while: { $0 != ":" }))
            return true
        }
        let killed = try #require(victim.flatMap { daemons[$0] }, "no cell was caught mid-training:\n\(h.log(of: coordinator))")
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        coordinator.waitUntilExit()
        #expect(coordinator.terminationStatus == 0, "\(h.log(of: coordinator))")
        let logs = daemons.values.map { h.log(of: $0) }.joined(separator: "\n")
        #expect(logs.contains("resuming from epoch"), "no host resumed the cell the dead one left:\n\(logs)")
        #expect(fleet.scalar("SELECT count(*) FROM training_jobs WHERE state = 'done'") == 4)
        #expect(fleet.scalar("SELECT count(DISTINCT substr(worker, 1, 6)) FROM training_jobs") >= 2, "the cells were spread")

        func tables(_ store: String) throws -> String {
            let md = try String(contentsOfFile: h.root + "/\(store)/study/dist/report/report.md", encoding: .utf8)
            // The header names the store and the time; training times are wall-clock times of
            // whichever host trained the cell. Everything else must be equal.
            return Self.withoutTrainingTimes(String(md[(md.range(of: "## ")?.lowerBound ?? md.startIndex)...]))
        }
        let oneHost = try tables("single"), distributed = try tables("store")
        if oneHost != distributed {
            try? oneHost.write(toFile: "/tmp/sharp-report-single.md", atomically: true, encoding: .utf8)
            try? distributed.write(toFile: "/tmp/sharp-report-distributed.md", atomically: true, encoding: .utf8)
        }
        #expect(oneHost == distributed, "the reports differ: /tmp/sharp-report-single.md, /tmp/sharp-report-distributed.md")
        for (host, process) in daemons where host != victim {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// A report without its wall-clock parts: the columns whose header names a time, and the
    /// section that compares training times.
    static func withoutTrainingTimes(_ markdown: String) -> String {
        var kept: [Substring] = [], timeColumns: Set<Int> = [], skipping = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { skipping = line.lowercased().contains("training time") }
            if skipping { continue }
            guard line.hasPrefix("|") else {
                timeColumns = []
                kept.append(line)
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            if timeColumns.isEmpty, !line.hasPrefix("|---") {
                timeColumns = Set(cells.indices.filter { cells[$0].lowercased().contains("time") })
                if timeColumns.isEmpty { timeColumns = [-1] }  // a table without one: keep every column
            }
            kept.append(Substring(cells.indices.filter { !timeColumns.contains($0) }.map { String(cells[$0]) }.joined(separator: "|")))
        }
        return kept.joined(separator: "\n")
    }
}
