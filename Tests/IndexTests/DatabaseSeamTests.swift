import Foundation
import Testing
import TestSupport

@testable import Index

/// `IndexStore` runs over any `SQLDatabase`, not only SQLite's: this conformer forwards to a
/// SQLite connection and loses the connection on a chosen statement, as a network backend can
/// mid-transaction. Nothing may be half-written, and the store must work again afterwards.
@Suite struct DatabaseSeamTests {
    /// Forwards every call; throws `.connectionLost` instead of running statement number `failAt`
    /// (counted from the last `arm`), and refuses everything until the transaction has unwound.
    final class FlakyDatabase: SQLDatabase {
        let inner: any SQLDatabase
        private(set) var statements: [String] = []
        private var countdown: Int?

        init(_ inner: any SQLDatabase) { self.inner = inner }

        /// Fails the `n`-th statement from now (1 = the next one).
        func arm(failingStatement n: Int) { countdown = n }

        private func check(_ sql: String) throws {
            statements.append(sql)
            guard let n = countdown else { return }
            if n <= 1 {
                countdown = nil
                throw IndexError(.sqlite(code: 10, extended: 10), "connection lost (simulated) before: \(sql.prefix(40))")
            }
            countdown = n - 1
        }

        var dialect: SQLDialect { inner.dialect }
        var location: String { "flaky:" + inner.location }
        var isReadOnly: Bool { inner.isReadOnly }
        func run(_ sql: String, _ values: [SQLValue]) throws -> Int {
            try check(sql)
            return try inner.run(sql, values)
        }
        func forEachRow(_ sql: String, _ values: [SQLValue], cached: Bool, _ body: ([SQLValue]) throws -> Bool) throws
            -> [String]
        {
            try check(sql)
            return try inner.forEachRow(sql, values, cached: cached, body)
        }
        func executeScript(_ sql: String) throws {
            try check(sql)
            try inner.executeScript(sql)
        }
        func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T { try inner.transaction(kind, body) }
        func readOnlyQuery(_ sql: String, named: [String: SQLValue]) throws -> (columns: [String], rows: [[SQLValue]]) {
            try inner.readOnlyQuery(sql, named: named)
        }
        func tableNames() throws -> Set<String> { try inner.tableNames() }
        func integrityCheck() throws -> String { try inner.integrityCheck() }
        func optimize() throws { try inner.optimize() }
        func compactLog() throws { try inner.compactLog() }
    }

    static let key = PluginKey(plugin: "hessian-trace", version: "1.0.0")

    @Test(arguments: TestBackend.available)
    func aConnectionLostAtAnyStatementOfCompleteJobLeavesNothingHalfWritten(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        let flaky = FlakyDatabase(
            try t.postgresURL.map { try PostgresDatabase(url: $0) }
                ?? SQLiteDatabase.writer(path: t.path, busyTimeoutMilliseconds: 5000))
        let store = try IndexStore(database: flaky, mode: .readWrite)
        try store.enqueueJobs(checkpointID: id, plugins: [Self.key], priority: 100, at: TestIndex.epoch)
        let job = try #require(try store.claimNextJob(worker: "w", at: TestIndex.epoch))
        let results = ScoringResults(metrics: [
            MetricRecord(checkpointID: id, key: Self.key, name: "trace", value: 7),
            MetricRecord(checkpointID: id, key: Self.key, name: "trace_se", value: 0.5),
        ])
        // Count the statements one completion takes, on a copy of the state, then fail each in turn.
        let before = flaky.statements.count
        #expect(throws: CancellationError.self) {
            try flaky.inner.transaction(.write) {  // completeJob joins this transaction, which rolls back
                _ = try store.completeJob(id: job.id, worker: "w", results: results, at: TestIndex.epoch)
                throw CancellationError()
            } as Void
        }
        let perCompletion = flaky.statements.count - before
        #expect(perCompletion >= 3, "completeJob should take several statements, took \(perCompletion)")
        #expect(try t.count("SELECT count(*) FROM metrics") == 0)
        for n in 1...perCompletion {
            flaky.arm(failingStatement: n)
            #expect(throws: IndexError.self, "statement \(n) of \(perCompletion)") {
                try store.completeJob(id: job.id, worker: "w", results: results, at: TestIndex.epoch)
            }
            #expect(try t.count("SELECT count(*) FROM metrics") == 0, "statement \(n): metrics written")
            #expect(try t.rows("SELECT state FROM jobs") == [[.text("running")]], "statement \(n): job state changed")
        }
        // The same store carries on once the connection is back.
        #expect(try store.completeJob(id: job.id, worker: "w", results: results, at: TestIndex.epoch))
        #expect(try t.count("SELECT count(*) FROM metrics") == 2)
        #expect(try t.rows("SELECT state FROM jobs") == [[.text("done")]])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func aReaderOverTheSeamRefusesAnIndexThatNeedsMigrating() throws {
        let directory = NSTemporaryDirectory() + "sharp-seam-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = IndexStore.path(forStore: directory)
        let empty = try SQLiteDatabase.writer(path: path, busyTimeoutMilliseconds: 1000)
        #expect(throws: IndexError.self) { try IndexStore(database: empty, mode: .readOnly) }
        _ = try IndexStore(database: empty, mode: .readWrite)  // migrates
        let reader = try IndexStore(database: try SQLiteDatabase.reader(path: path, busyTimeoutMilliseconds: 1000), mode: .readOnly)
        #expect(try reader.appliedMigrations() == Schema.migrations.map(\.name))
    }
}

/// The PostgreSQL connection's own logic, without a server.
@Suite struct PostgresConnectionTests {
    @Test func placeholdersBecomeNumberedOutsideQuotes() {
        #expect(PostgresDatabase.numberedPlaceholders("SELECT ? , '?' , \"a?\", ?") == "SELECT $1 , '?' , \"a?\", $2")
        #expect(PostgresDatabase.numberedPlaceholders("WHERE a = ?2 OR b = ?12") == "WHERE a = $2 OR b = $12")
    }

    @Test func valuesTravelAsPostgreSQLTextAndNaNAsNull() {
        #expect(PostgresDatabase.parameterText(.real(.nan)) == nil)
        #expect(PostgresDatabase.parameterText(.real(-.infinity)) == "-Infinity")
        #expect(PostgresDatabase.parameterText(.real(1e-05)) == "1e-05")
        #expect(PostgresDatabase.parameterText(.integer(-3)) == "-3")
        #expect(PostgresDatabase.parameterText(.blob([0, 255])) == "\\x00ff")
    }

    @Test func anUnreachableServerIsOneLineNamingItWithoutThePassword() throws {
        // A port nothing listens on: bind one, note it, close it.
        let url = "postgres://sharp:secret@127.0.0.1:\(Self.closedPort())/sharp?connect_timeout=2"
        let error = try #require(throws: IndexError.self) { try PostgresDatabase(url: url) }
        #expect(error.message.hasPrefix("cannot connect to postgres://sharp:***@127.0.0.1:"), "\(error.message)")
        #expect(!error.message.contains("secret") && !error.message.contains("\n"))
        #expect(error.isTransient)
    }

    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A real server restart (tools/postgres-cluster restart): sessions are cut, as when a server
/// is restarted or fails over under a running daemon.
/// The server is the test's own, so its restarts cut no other test's sessions.
struct PostgresRestartTests {
    @Test func afterARestartTheNextStatementReconnectsAndATransactionInFlightFailsWhole() throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let server = try PrivatePostgresServer()
        let t = try TestIndex(.postgres, server: server.url)
        let id = try t.checkpoint(1)
        #expect(try t.index.enqueueJobs(checkpointID: id, plugins: [DatabaseSeamTests.key], priority: 1, at: TestIndex.epoch) == 1)
        #expect(server.restart())
        // Outside a transaction: the statement that meets the cut connection reconnects and runs.
        let job = try #require(try t.index.claimNextJob(worker: "w", at: TestIndex.epoch))
        // Inside one: the transaction is lost whole and the caller hears of it; then all is well.
        let results = ScoringResults(metrics: [MetricRecord(checkpointID: id, key: DatabaseSeamTests.key, name: "trace", value: 7)])
        #expect(throws: IndexError.self) {
            try t.index.db.transaction {
                try t.index.db.run("UPDATE jobs SET error = 'half' WHERE id = ?", [.integer(job.id)])
                #expect(server.restart())
                _ = try t.index.completeJob(id: job.id, worker: "w", results: results, at: TestIndex.epoch)
            } as Void
        }
        #expect(try t.index.completeJob(id: job.id, worker: "w", results: results, at: TestIndex.epoch))
        #expect(try t.rows("SELECT state, error FROM jobs") == [[.text("done"), .null]])
        #expect(try t.count("SELECT count(*) FROM metrics") == 1)
    }
}
