import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// The schema comes from named migrations, applied once, in a transaction; the connection is
/// configured for WAL, NORMAL sync, foreign keys and a busy timeout.
struct MigrationTests {
    @Test func migrationsAreRecordedByNameAndReopeningAppliesNothing() throws {
        let t = try TestIndex()
        let names = Schema.migrations.map(\.name)
        #expect(try t.index.appliedMigrations() == names)
        #expect(names.first == "0001_create_checkpoints")
        for _ in 0..<3 { _ = try IndexStore(store: t.directory) }
        #expect(try t.count("SELECT count(*) FROM schema_migrations") == names.count)
        #expect(try t.index.db.scalar("PRAGMA user_version").int64 == Int64(names.count))
        #expect(try t.index.integrityCheck() == "ok")
    }

    @Test func connectionsUseWALNormalSyncForeignKeysAndABusyTimeout() throws {
        let t = try TestIndex()
        #expect(try t.index.db.scalar("PRAGMA journal_mode").string == "wal")
        #expect(try t.index.db.scalar("PRAGMA synchronous").int64 == 1)  // NORMAL
        #expect(try t.index.db.scalar("PRAGMA foreign_keys").int64 == 1)
        #expect(try t.index.db.scalar("PRAGMA busy_timeout").int64 == 5000)
    }

    @Test func anIndexFromANewerSharpIsRefusedWithAClearMessage() throws {
        let t = try TestIndex()
        try t.index.db.run("INSERT INTO schema_migrations (name, applied_at) VALUES ('0099_future_table', 0)")
        for mode in [IndexStore.Mode.readWrite, .readOnly] {
            let error = #expect(throws: IndexError.self) { try IndexStore(store: t.directory, mode: mode) }
            #expect(error?.kind == .newerSchema)
            #expect(error?.message.contains("0099_future_table") == true)
            #expect(error?.message.contains("newer Sharp") == true)
        }
    }

    @Test func aReaderRefusesWritesAndAMissingIndexIsAnError() throws {
        let t = try TestIndex()
        let reader = try IndexStore(store: t.directory, mode: .readOnly)
        #expect(throws: IndexError.self) { try reader.readOnlyQuery("DELETE FROM checkpoints") }
        #expect(throws: IndexError.self) { try reader.db.run("DELETE FROM checkpoints") }
        let error = #expect(throws: IndexError.self) { try IndexStore(store: t.directory + "/nowhere", mode: .readOnly) }
        #expect(error?.kind == .noIndex)
    }

    @Test func aReaderUpgradesAnOlderSchemaFirst() throws {
        let t = try TestIndex()
        try t.index.db.executeScript("DROP VIEW metric_values; DELETE FROM schema_migrations WHERE name = '0004_create_metric_values_view'")
        let reader = try IndexStore(store: t.directory, mode: .readOnly)
        #expect(try reader.appliedMigrations() == Schema.migrations.map(\.name))
        #expect(try reader.readOnlyQuery("SELECT count(*) AS n FROM metric_values").rows == [[.integer(0)]])
    }

    @Test func twoProcessesOpeningANewIndexAtOnceMigrateItOnce() async throws {
        let directory = NSTemporaryDirectory() + "sharp-index-race-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try IndexStore(store: directory) } }
            try await group.waitForAll()
        }
        let index = try IndexStore(store: directory)
        #expect(try index.appliedMigrations() == Schema.migrations.map(\.name))
    }
}
