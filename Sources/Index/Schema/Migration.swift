/// One named schema change. Applied at most once per index, in list order, inside the same
/// transaction as its row in `schema_migrations`; never edited once released (add a new one).
struct Migration: Sendable {
    /// `NNNN_verb_object`, e.g. `0001_create_checkpoints`.
    let name: String
    /// Fixed DDL (no parameters to bind).
    let sql: String
}

/// The migrations this code knows, oldest first. docs/index-and-queries.md §2 describes the result.
enum Schema {
    static let migrations: [Migration] = [
        Migration(name: "0001_create_checkpoints", sql: createCheckpoints),
        Migration(name: "0002_create_metrics", sql: createMetrics),
        Migration(name: "0003_create_jobs", sql: createJobs),
        Migration(name: "0004_create_metric_values_view", sql: createMetricValuesView),
        Migration(name: "0005_add_checkpoint_path_identity", sql: addCheckpointPathIdentity),
        Migration(name: "0006_add_leases_and_daemons", sql: addLeasesAndDaemons),
        Migration(name: "0007_create_training_jobs", sql: createTrainingJobs),
        Migration(name: "0008_create_plugin_files", sql: createPluginFiles),
        Migration(name: "0009_add_metric_short_names", sql: addMetricShortNames),
        Migration(name: "0010_add_checkpoint_provenance", sql: addCheckpointProvenance),
    ]

    /// The newest migration's name: what `schema_migrations` holds last once migrated.
    static var latest: String { migrations[migrations.count - 1].name }

    static let createMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY,
            applied_at REAL NOT NULL
        )
        """
}
