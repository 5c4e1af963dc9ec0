import Foundation

/// Applies `Schema.migrations` that an index lacks, and refuses an index from a newer Sharp.
enum Migrator {
    /// Names of migrations recorded in the index (empty for a new file).
    static func applied(_ db: any SQLDatabase) throws -> [String] {
        guard try db.tableNames().contains("schema_migrations") else { return [] }
        return try db.rows("SELECT name FROM schema_migrations ORDER BY name").compactMap { $0[0].string }
    }

    /// The known migrations not yet applied; throws `.newerSchema` if the index has one we do not know.
    static func pending(_ db: any SQLDatabase) throws -> [Migration] {
        let done = try applied(db)
        let known = Set(Schema.migrations.map(\.name))
        let unknown = done.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw IndexError(
                .newerSchema,
                "\(db.location) was written by a newer Sharp (schema \(unknown.joined(separator: ", ")); this build knows up to \(Schema.latest)). Upgrade Sharp to read it."
            )
        }
        let doneSet = Set(done)
        return Schema.migrations.filter { !doneSet.contains($0.name) }
    }

    /// Brings the index up to date in one `BEGIN IMMEDIATE` transaction. The pending list is read
    /// again under the write lock, so two processes opening a new index at once apply each once.
    static func migrate(_ db: any SQLDatabase, now: Date) throws {
        if try pending(db).isEmpty { return }
        try db.transaction {
            try db.executeScript(db.dialect.ddl(Schema.createMigrationsTable))
            for migration in try pending(db) {
                try db.executeScript(db.dialect.ddl(migration.sql))
                try db.run(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    [.text(migration.name), .real(now.timeIntervalSince1970)])
            }
            if db.dialect == .sqlite { try db.executeScript("PRAGMA user_version = \(Schema.migrations.count)") }
        }
    }
}
