// The DDL of each migration. Checkpoint indexes serve the common filters (`--where
// optimizer=…`, `model=…`: the study's groupings) and carry `status` so counts stay index-only. Times are REAL unix seconds (UTC); JSON columns are checked with
// json_valid; every table is snake_case (docs/index-and-queries.md §2).

extension Schema {
    static let createCheckpoints = """
        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
            path TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing', 'quarantined')),
            error TEXT,
            indexed_at REAL NOT NULL,
            run_id TEXT,
            created_at REAL,
            software_version TEXT,
            model TEXT,
            model_config TEXT CHECK (model_config IS NULL OR json_valid(model_config)),
            optimizer TEXT,
            optimizer_version TEXT,
            base_optimizer TEXT,
            hyperparameters TEXT CHECK (hyperparameters IS NULL OR json_valid(hyperparameters)),
            dataset TEXT,
            dataset_fingerprint TEXT,
            dataset_spec TEXT CHECK (dataset_spec IS NULL OR json_valid(dataset_spec)),
            split_seed INTEGER,
            train_count INTEGER,
            test_count INTEGER,
            seed INTEGER,
            epoch INTEGER,
            step INTEGER,
            training_loss REAL,
            training_accuracy REAL,
            elapsed_seconds REAL,
            stop_reason TEXT
        );
        CREATE INDEX checkpoints_by_time ON checkpoints (created_at DESC, sha256);
        CREATE INDEX checkpoints_by_run ON checkpoints (run_id, step);
        CREATE INDEX checkpoints_by_status ON checkpoints (status);
        CREATE INDEX checkpoints_by_optimizer ON checkpoints (optimizer, model, status);
        CREATE INDEX checkpoints_by_model ON checkpoints (model, optimizer, status);
        CREATE TABLE checkpoint_paths (
            path TEXT PRIMARY KEY,
            checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
            first_seen_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1))
        );
        CREATE INDEX checkpoint_paths_by_checkpoint ON checkpoint_paths (checkpoint_id);
        """

    // `value` is NULL exactly when the plugin reported NaN (SQLite cannot store NaN), so NaN and
    // missing sort together, after every number, in both directions. `is_current` marks the row
    // queries use for (checkpoint, plugin, name): the newest plugin version, then the newest row.
    // Three indexes, three jobs: `metrics_by_checkpoint` is the uniqueness rule (upserts);
    // `metrics_ranking` answers "checkpoints in order of X" (`top`); `metrics_current` answers
    // "this checkpoint's current X" without touching the table (filters, missing rows). Queries
    // name them with INDEXED BY: without statistics SQLite may pick the ranking index for a
    // per-checkpoint lookup and scan every row of the metric once per checkpoint.
    // `metric_names` lists every (plugin, version, output) ever recorded, so resolving a name or
    // suggesting one never scans the (possibly million-row) `metrics` table.
    static let createMetrics = """
        CREATE TABLE metrics (
            id INTEGER PRIMARY KEY,
            checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            plugin_version_rank INTEGER NOT NULL,
            params_hash TEXT NOT NULL,
            params TEXT CHECK (params IS NULL OR json_valid(params)),
            name TEXT NOT NULL,
            value REAL,
            is_nan INTEGER NOT NULL DEFAULT 0 CHECK (is_nan IN (0, 1)),
            stderr REAL,
            hvp_count INTEGER,
            seconds REAL,
            recorded_at REAL NOT NULL,
            is_current INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
            CHECK ((value IS NULL) = (is_nan = 1))
        );
        CREATE UNIQUE INDEX metrics_by_checkpoint ON metrics (checkpoint_id, plugin, name, plugin_version, params_hash);
        CREATE INDEX metrics_ranking ON metrics (plugin, name, value) WHERE is_current = 1;
        CREATE INDEX metrics_current ON metrics (checkpoint_id, plugin, name, value) WHERE is_current = 1;
        CREATE TABLE metric_names (
            plugin TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            name TEXT NOT NULL,
            first_recorded_at REAL NOT NULL,
            PRIMARY KEY (plugin, plugin_version, name)
        ) WITHOUT ROWID;
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            params_hash TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL CHECK (json_valid(data)),
            recorded_at REAL NOT NULL,
            UNIQUE (checkpoint_id, plugin, name, plugin_version, params_hash)
        );
        """

    // One row per (checkpoint, plugin version, params). `priority` puts newly dropped checkpoints
    // before backfill; `sort_key` (the checkpoint's created_at) orders newest first within one.
    static let createJobs = """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            params_hash TEXT NOT NULL,
            params TEXT CHECK (params IS NULL OR json_valid(params)),
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
            priority INTEGER NOT NULL DEFAULT 0,
            sort_key REAL NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            worker TEXT,
            enqueued_at REAL NOT NULL,
            not_before REAL,
            claimed_at REAL,
            heartbeat_at REAL,
            finished_at REAL,
            error TEXT,
            UNIQUE (checkpoint_id, plugin, plugin_version, params_hash)
        );
        CREATE INDEX jobs_claim_order ON jobs (priority DESC, sort_key DESC, id) WHERE state = 'queued';
        CREATE INDEX jobs_running ON jobs (worker, heartbeat_at) WHERE state = 'running';
        """

    // For ad-hoc SQL (`sharpq sql`): each checkpoint's current value of every metric.
    static let createMetricValuesView = """
        CREATE VIEW metric_values AS
        SELECT c.id AS checkpoint_id, c.sha256, c.run_id, c.model, c.optimizer, c.base_optimizer,
               c.dataset, c.seed, c.epoch, c.step, c.created_at,
               m.plugin, m.plugin_version, m.params_hash, m.name, m.value, m.is_nan, m.stderr,
               m.hvp_count, m.seconds, m.recorded_at
        FROM metrics AS m JOIN checkpoints AS c ON c.id = m.checkpoint_id
        WHERE m.is_current = 1;
        """

    // What the file at a path looked like when its bytes were last hashed (device, inode, size,
    // modification and status-change times, as `FileIdentity` prints them). The start-up scan
    // trusts an unchanged identity instead of reading and hashing the whole file again: any
    // write changes the status-change time, which no user call can set back. NULL: not known.
    static let addCheckpointPathIdentity = """
        ALTER TABLE checkpoint_paths ADD COLUMN file_identity TEXT;
        """

    // Several daemons on one index (docs/fleet.md). A running job's `lease_until` is the server's
    // clock (unix seconds) until which its claimer holds it: the claiming daemon renews it while
    // the worker runs; once it passes, any daemon puts the job back in the queue, and a result
    // arriving later is refused (the fencing check in `completeJob`). `daemons` lists every
    // daemon with its own lease, so operators see the fleet and a restarting daemon knows which
    // jobs its dead predecessor on the same host left. `intake_claims` lets exactly one daemon
    // read and hash a new file while the others wait for its row.
    static let addLeasesAndDaemons = """
        ALTER TABLE jobs ADD COLUMN lease_until REAL;
        CREATE TABLE daemons (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            store TEXT NOT NULL,
            software_version TEXT,
            started_at REAL NOT NULL,
            heartbeat_at REAL NOT NULL,
            lease_until REAL NOT NULL
        );
        CREATE TABLE intake_claims (
            path TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            lease_until REAL NOT NULL
        );
        CREATE INDEX jobs_by_lease ON jobs (lease_until) WHERE state = 'running';
        """

    // A distributed study's cells (docs/fleet.md §7): one row per training run, claimed and leased
    // like a scoring job by a daemon started with `--train`. `spec` is what the trainer needs
    // (Sources/Study/StudyPlan+Spec.swift writes and reads it); `checkpoint` the final one.
    static let createTrainingJobs = """
        CREATE TABLE training_jobs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            study TEXT NOT NULL,
            spec TEXT NOT NULL CHECK (json_valid(spec)),
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            worker TEXT,
            enqueued_at REAL NOT NULL,
            not_before REAL,
            claimed_at REAL,
            heartbeat_at REAL,
            lease_until REAL,
            finished_at REAL,
            error TEXT,
            checkpoint TEXT
        );
        CREATE INDEX training_jobs_by_study ON training_jobs (study, state);
        """

    // The bytes of each plugin version's file as the daemon last planned with it (sha256): when
    // they change under the same version (a plugin author's fix), the version's failed jobs are
    // queued again (docs/daemon.md §4).
    static let createPluginFiles = """
        CREATE TABLE plugin_files (
            plugin TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            seen_at REAL NOT NULL,
            PRIMARY KEY (plugin, plugin_version)
        );
        """

    // A metric plugin's declared short name for an output (docs/index-and-queries.md §3), as
    // recorded with its newest results of that version; NULL when it declares none.
    static let addMetricShortNames = """
        ALTER TABLE metric_names ADD COLUMN short_name TEXT
        """

    /// `trained` or `imported` (docs/importing.md); rows from before it are Sharp's own.
    static let addCheckpointProvenance = """
        ALTER TABLE checkpoints ADD COLUMN provenance TEXT NOT NULL DEFAULT 'trained'
        """
}
