import Index
/// A checkpoint column users can filter, group or list by, under its user-facing name.
public struct CheckpointField: Equatable, Sendable {
    /// How values compare.
    public enum Kind: Sendable {
        /// Compared as text.
        case text
        /// Compared as numbers (`epoch`, `training_loss`).
        case number
        /// Unix seconds; filter values may be ISO 8601 dates.
        case time
    }

    /// The name in `--where`, `--rows`, `--cols` and output headers.
    public var name: String
    /// The column of `checkpoints` (alias `c`).
    public var column: String
    /// Comparison kind.
    public var kind: Kind

    /// Every field, in the fixed order `list` shows them (identity, then training state).
    public static let all: [CheckpointField] = [
        .init(name: "checkpoint", column: "sha256", kind: .text),
        .init(name: "created_at", column: "created_at", kind: .time),
        .init(name: "run_id", column: "run_id", kind: .text),
        .init(name: "model", column: "model", kind: .text),
        .init(name: "optimizer", column: "optimizer", kind: .text),
        .init(name: "optimizer_version", column: "optimizer_version", kind: .text),
        .init(name: "base_optimizer", column: "base_optimizer", kind: .text),
        .init(name: "dataset", column: "dataset", kind: .text),
        .init(name: "dataset_fingerprint", column: "dataset_fingerprint", kind: .text),
        .init(name: "split_seed", column: "split_seed", kind: .number),
        .init(name: "seed", column: "seed", kind: .number),
        .init(name: "epoch", column: "epoch", kind: .number),
        .init(name: "step", column: "step", kind: .number),
        .init(name: "training_loss", column: "training_loss", kind: .number),
        .init(name: "training_accuracy", column: "training_accuracy", kind: .number),
        .init(name: "elapsed_seconds", column: "elapsed_seconds", kind: .number),
        .init(name: "stop_reason", column: "stop_reason", kind: .text),
        .init(name: "provenance", column: "provenance", kind: .text),
        .init(name: "status", column: "status", kind: .text),
        .init(name: "path", column: "path", kind: .text),
        .init(name: "size_bytes", column: "size_bytes", kind: .number),
        .init(name: "train_count", column: "train_count", kind: .number),
        .init(name: "test_count", column: "test_count", kind: .number),
        .init(name: "software_version", column: "software_version", kind: .text),
        .init(name: "indexed_at", column: "indexed_at", kind: .time),
    ]

    /// Other spellings users type.
    static let synonyms: [String: String] = [
        "sha256": "checkpoint", "hash": "checkpoint", "run": "run_id", "time": "elapsed_seconds",
        "training_time": "elapsed_seconds", "base": "base_optimizer", "data": "dataset",
    ]

    /// The field named `name` (or a synonym).
    public static func named(_ name: String) -> CheckpointField? {
        let canonical = synonyms[name] ?? name
        return all.first { $0.name == canonical }
    }
}

/// What a `--where` key, `--rows`/`--cols` key or list column refers to.
public enum QueryField: Equatable, Sendable {
    /// A checkpoint column.
    case checkpoint(CheckpointField)
    /// A metric's current value.
    case metric(MetricRef)
    /// A top-level key of the optimizer hyperparameters (`lr`, `rho`; `hp.lr` also works).
    case hyperparameter(String)

    /// The column header.
    public var displayName: String {
        switch self {
        case .checkpoint(let field): return field.name
        case .metric(let ref): return ref.displayName
        case .hyperparameter(let key): return key
        }
    }
}
