import Foundation
import Index
import Testing
import TestSupport

/// `--index postgres://…`: sharpd (and its worker processes) write the index into a PostgreSQL
/// server instead of `<store>/index.sqlite`, and sharpq reads it back from there.
struct PostgresIndexDaemonTests {
    /// The server tools/test starts (tools/postgres-cluster); nil when run without one.
    static let server = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_URL"]

    @Test(.timeLimit(.minutes(3)))
    func sharpdScoresIntoPostgreSQLAndSharpqReadsItBack() throws {
        guard let server = Self.server else {
            #expect(ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_POSTGRES"] == nil, "no PostgreSQL server given")
            return
        }
        let h = try DaemonHarness("postgres")
        guard h.hasExecutables else { return }
        let schema = "d_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try PostgresDatabase(url: server).run("CREATE SCHEMA \(schema)")
        defer { _ = try? PostgresDatabase(url: server).run("DROP SCHEMA \(schema) CASCADE") }
        let url = server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"

        let files = try h.trainTinyModel()
        #expect(files.count == 1)
        let (status, output) = try h.run("sharpd", ["--store", "store", "--index", url, "--once", "--metric", "accuracy"])
        #expect(status == 0, "\(output)")
        #expect(!FileManager.default.fileExists(atPath: h.store + "/index.sqlite"), "the store's own index was written")
        let database = try PostgresDatabase(url: url)
        #expect(try database.scalar("SELECT count(*) FROM checkpoints").int64 == 1)
        #expect(try database.scalar("SELECT count(*) FROM jobs WHERE state = 'done'").int64 == 1)

        // sharpq: by flag, and by SHARP_INDEX_URL.
        let (listed, table) = try h.run("sharpq", ["--index", url, "top", "--metric", "test_acc", "--format", "csv"])
        #expect(listed == 0 && table.split(separator: "\n").count == 2, "\(table)")
        let (again, same) = try h.run("sharpq", ["top", "--metric", "test_acc", "--format", "csv"], environment: ["SHARP_INDEX_URL": url])
        #expect(again == 0 && same == table)

        // One daemon per host on a shared index (its lock and pid files carry the host's name), and
        // every daemon on one index watches the same store path: another store is refused.
        let first = try h.start("sharpd", ["--store", "store", "--index", url, "--metric", "accuracy"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let pidFile = DaemonProbe.pidFile(store: h.store, scope: .host(DaemonProbe.hostName))
        #expect(pidFile.hasSuffix("/sharpd@\(DaemonProbe.hostName).pid"))
        #expect(h.wait(seconds: 10) { FileManager.default.fileExists(atPath: pidFile) })
        let (busy, sameHost) = try h.run("sharpd", ["--store", "store", "--index", url, "--once", "--metric", "accuracy"])
        #expect(busy == 1 && sameHost.contains("already running on \(h.store) on this host"), "\(sameHost)")
        try FileManager.default.createDirectory(atPath: h.root + "/other", withIntermediateDirectories: true)
        let (refused, message) = try h.run("sharpd", ["--store", "other", "--index", url, "--once", "--metric", "accuracy"],
                                           environment: ["SHARP_HOST": "elsewhere"])
        #expect(refused == 1 && message.contains("uses this index with the store at \(h.store)"), "\(message)")
        first.terminate()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "\(h.log(of: first))")
    }

    @Test(.timeLimit(.minutes(3)))
    func sharpScoreRecordsIntoTheIndexAsTheDaemonWouldSoTheDaemonFindsThemScored() throws {
        guard let server = Self.server else { return }
        let h = try DaemonHarness("postgres-score")
        guard h.hasExecutables else { return }
        let schema = PostgresTestServer.schemaName("sc")
        try PostgresDatabase(url: server).run("CREATE SCHEMA \(schema)")
        defer { _ = try? PostgresDatabase(url: server).run("DROP SCHEMA \(schema) CASCADE") }
        let url = try #require(PostgresTestServer.url(schema: schema))
        let files = try h.trainTinyModel(epochs: 2, checkpointEvery: 1)
        #expect(files.count == 2)
        let (scored, output) = try h.run("sharp", ["score", files[0], "--metric", "accuracy", "--samples", "16", "--index", url])
        #expect(scored == 0 && output.contains("recorded in postgres://"), "\(output)")
        let (again, text) = try h.run("sharp", ["score", files[1], "--metric", "accuracy", "--samples", "16"],
                                      environment: ["SHARP_INDEX_URL": url])
        #expect(again == 0, "\(text)")
        let database = try PostgresDatabase(url: url)
        #expect(try database.scalar("SELECT count(*) FROM checkpoints").int64 == 2)
        #expect(try database.scalar("SELECT count(*) FROM metrics WHERE plugin = 'accuracy'").int64 == 10)
        // The daemon, asked for the same metric on the same samples, finds nothing left to do.
        let (status, log) = try h.run("sharpd", ["--store", "store", "--index", url, "--once", "--metric", "accuracy", "--samples", "16"])
        #expect(status == 0, "\(log)")
        #expect(try database.scalar("SELECT count(*) FROM jobs").int64 == 0, "\(log)")
        let (_, top) = try h.run("sharpq", ["--index", url, "top", "--metric", "test_acc", "--format", "csv"])
        #expect(top.split(separator: "\n").count == 3, "\(top)")
    }

    @Test(.timeLimit(.minutes(2)))
    func anUnreachableOrUnknownIndexIsOneLineAndExit1Or2() throws {
        let h = try DaemonHarness("postgres-errors")
        guard h.hasExecutables else { return }
        let closed = "postgres://sharp:hunter2@127.0.0.1:9/sharp?connect_timeout=2"
        let (status, output) = try h.run("sharpq", ["--index", closed, "top", "--metric", "accuracy"])
        #expect(status == 1 && output.contains("cannot connect to postgres://sharp:***@127.0.0.1:9/"), "\(output)")
        #expect(!output.contains("hunter2") && output.split(separator: "\n").count == 1, "\(output)")
        let (daemon, message) = try h.run("sharpd", ["--store", "store", "--index", closed, "--once"])
        #expect(daemon == 1 && message.contains("cannot connect to postgres://sharp:***@"), "\(message)")
        let (usage, text) = try h.run("sharpq", ["--index", "mysql://x/y", "top", "--metric", "accuracy"])
        #expect(usage == 2 && text.contains("unknown scheme 'mysql'"), "\(text)")
    }

    @Test(.timeLimit(.minutes(3)))
    func aRunningDaemonCarriesOnAcrossAServerRestart() throws {
        guard Self.server != nil else { return }
        let h = try DaemonHarness("postgres-restart")
        guard h.hasExecutables else { return }
        let privateServer = try PrivatePostgresServer()  // restarted below: its own, not the shared one
        let server = privateServer.url
        let schema = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try PostgresDatabase(url: server).run("CREATE SCHEMA \(schema)")
        defer { _ = try? PostgresDatabase(url: server).run("DROP SCHEMA \(schema) CASCADE") }
        let url = server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        func done() -> Int64 { (try? PostgresDatabase(url: url).scalar("SELECT count(*) FROM jobs WHERE state = 'done'").int64) ?? nil ?? 0 }

        let daemon = try h.start("sharpd", ["--store", "store", "--index", url, "--metric", "accuracy"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        try h.trainTinyModel(seed: 1)
        #expect(h.wait(seconds: 60) { done() == 1 }, "\(h.log(of: daemon))")
        #expect(privateServer.restart())
        try h.trainTinyModel(seed: 2)
        #expect(h.wait(seconds: 60) { done() == 2 }, "\(h.log(of: daemon))")
        // Down for 4 s while a checkpoint arrives: the daemon waits, then indexes and scores it.
        let outage = DispatchGroup()
        outage.enter()
        let restarted = Flag()
        DispatchQueue.global().async {
            restarted.set(privateServer.restart(pause: 4))
            outage.leave()
        }
        usleep(500_000)
        try h.trainTinyModel(seed: 3)
        outage.wait()
        #expect(restarted.value)
        #expect(h.wait(seconds: 90) { done() == 3 }, "\(h.log(of: daemon))")
        #expect(h.log(of: daemon).contains("the index is unavailable"), "\(h.log(of: daemon))")
        #expect(daemon.isRunning)
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "\(h.log(of: daemon))")
    }
}

/// A Bool set on one thread and read on another.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool { lock.withLock { stored } }
    func set(_ value: Bool) { lock.withLock { stored = value } }
}
