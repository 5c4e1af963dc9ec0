import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// The index backends a test can run on.
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The server tools/test starts (tools/postgres-cluster), as a URL.
    static let postgresURL = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_URL"]

    /// SQLite always; PostgreSQL when a server was given. Under tools/test (which sets
    /// SHARP_TEST_REQUIRE_POSTGRES) a missing server is a failure, not a skip.
    static var available: [TestBackend] {
        if postgresURL != nil { return [.sqlite, .postgres] }
        precondition(
            ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_POSTGRES"] == nil,
            "SHARP_TEST_REQUIRE_POSTGRES is set but SHARP_TEST_POSTGRES_URL is not")
        return [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// A temporary store with an index, filled through the public API (no daemon). On PostgreSQL
/// each instance gets a schema of its own in the test server's database, dropped at the end.
final class TestIndex {
    let directory: String
    let index: IndexStore
    let backend: TestBackend
    /// PostgreSQL: the URL that opens this instance's schema; nil for SQLite.
    let postgresURL: String?
    private let schema: String?
    /// The server the schema is on.
    private let server: String?
    /// Fixed clock so output is reproducible: 2026-05-01T00:00:00Z.
    static let epoch = Date(timeIntervalSince1970: 1_777_593_600)

    /// A fresh index; on PostgreSQL in a new schema of `server` (default: the tests' server).
    init(_ backend: TestBackend = .sqlite, server: String? = nil) throws {
        self.backend = backend
        directory = NSTemporaryDirectory() + "sharp-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch backend {
        case .sqlite:
            schema = nil
            postgresURL = nil
            self.server = nil
            index = try IndexStore(store: directory)
        case .postgres:
            let base = try #require(server ?? TestBackend.postgresURL, "no PostgreSQL server (SHARP_TEST_POSTGRES_URL)")
            self.server = base
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try PostgresDatabase(url: base).run("CREATE SCHEMA \(name)")
            schema = name
            let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)"
            postgresURL = url
            index = try IndexStore(database: try PostgresDatabase(url: url), mode: .readWrite)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
        if let schema, let base = server {
            _ = try? PostgresDatabase(url: base).run("DROP SCHEMA \(schema) CASCADE")
        }
    }

    /// Opens the same index read-only, as `sharpq` does.
    func reader() throws -> IndexStore {
        if let postgresURL { return try IndexStore(database: try PostgresDatabase(url: postgresURL, readOnly: true), mode: .readOnly) }
        return try IndexStore(store: directory, mode: .readOnly)
    }

    /// Opens another connection to the same index (for concurrency tests: one per thread).
    var opener: @Sendable () throws -> IndexStore {
        let path = path, url = postgresURL
        return {
            if let url { return try IndexStore(database: try PostgresDatabase(url: url), mode: .readWrite) }
            return try IndexStore(path: path)
        }
    }

    var path: String { IndexStore.path(forStore: directory) }

    /// A 64-hex-digit content hash whose leading digits are `prefix`, the rest from `n`.
    static func hash(_ n: Int, prefix: String = "") -> String {
        let tail = String(format: "%016llx", UInt64(n))
        return prefix + String(repeating: "0", count: 64 - prefix.count - tail.count) + tail
    }

    /// Adds a checkpoint; `n` picks the hash and (unless given) the creation time (n minutes in).
    @discardableResult
    func checkpoint(
        _ n: Int, optimizer: String = "adam", model: String = "vgg-mini", seed: UInt64 = 1, run: String? = nil,
        epoch: Int = 10, step: Int = 100, minutes: Double? = nil, hyperparameters: String = #"{"lr":0.0001}"#,
        hashPrefix: String = "", path: String? = nil
    ) throws -> Int64 {
        let record = CheckpointRecord(
            sha256: Self.hash(n, prefix: hashPrefix), sizeBytes: 1000 + n, runID: run ?? "run\(n)",
            createdAt: Self.epoch.addingTimeInterval(60 * (minutes ?? Double(n))), model: model,
            optimizer: optimizer, baseOptimizer: optimizer.hasSuffix("sam") ? "adam" : nil,
            hyperparametersJSON: hyperparameters, seed: seed, epoch: epoch, step: step, trainingLoss: 0.25,
            trainingAccuracy: 0.9)
        return try index.upsertCheckpoint(record, path: path ?? "\(directory)/ckpt-\(n).ckpt.tar.zst", at: Self.epoch).id
    }

    /// Records one metric value.
    func metric(
        _ checkpointID: Int64, _ plugin: String, _ name: String, _ value: Double, version: String = "1.0.0",
        standardError: Double? = nil
    ) throws {
        let key = PluginKey(plugin: plugin, version: version)
        try index.recordResults(
            ScoringResults(metrics: [
                MetricRecord(checkpointID: checkpointID, key: key, name: name, value: value, standardError: standardError)
            ]), at: Self.epoch)
    }

    /// Raw SQL for assertions.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] { try index.db.rows(sql, values) }

    func count(_ sql: String, _ values: [SQLValue] = []) throws -> Int { Int(try index.db.scalar(sql, values).int64 ?? -1) }
}
