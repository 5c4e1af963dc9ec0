import Index
import Foundation

/// A metric's value on one checkpoint: a number, NaN, or absent.
public enum MetricValue: Equatable, Sendable {
    /// No row: not scored (yet) by that plugin.
    case missing
    /// The plugin reported NaN.
    case nan
    /// A number (±infinity included).
    case number(Double)

    /// The number, NaN for `.nan`, nil for `.missing`.
    public var double: Double? {
        switch self {
        case .missing: return nil
        case .nan: return .nan
        case .number(let v): return v
        }
    }
}

/// A metric value with what came with it.
public struct MetricReading: Equatable, Sendable {
    /// The value.
    public var value: MetricValue
    /// Its standard error, if the plugin gave one.
    public var standardError: Double?
    /// The plugin version that produced it.
    public var pluginVersion: String?

    /// A reading with nothing in it.
    public static let missing = MetricReading(value: .missing, standardError: nil, pluginVersion: nil)
}

/// A checkpoint's identity and training state, as listed by `top` and `list`.
public struct CheckpointSummary: Equatable, Sendable {
    /// Row id.
    public var id: Int64
    /// Content hash.
    public var sha256: String
    /// First path it was seen at.
    public var path: String
    /// `ok`, `missing` or `quarantined`.
    public var status: String
    /// Run id.
    public var runID: String?
    /// When it was written.
    public var createdAt: Date?
    /// Model name.
    public var model: String?
    /// Optimizer plugin.
    public var optimizer: String?
    /// Base optimizer, if any.
    public var baseOptimizer: String?
    /// Dataset name.
    public var dataset: String?
    /// The run's seed.
    public var seed: UInt64?
    /// Completed epochs.
    public var epoch: Int?
    /// Completed steps.
    public var step: Int?
    /// Last-epoch training loss from the manifest.
    public var trainingLoss: Double?
    /// Last-epoch training accuracy from the manifest.
    public var trainingAccuracy: Double?
    /// Training seconds.
    public var elapsedSeconds: Double?
    /// Hyperparameters, JSON object text.
    public var hyperparametersJSON: String?
    /// `trained` or `imported`.
    public var provenance: String?
}

/// `sharpq top`: which metric, which direction, how many.
public struct TopQuery: Equatable, Sendable {
    /// The metric name as typed (short name, `plugin:name`, or output name).
    public var metric: String
    /// Smallest first instead of largest first.
    public var ascending: Bool
    /// At most this many rows (0 = all).
    public var limit: Int
    /// Rows of the ranking skipped before the first one returned (a page's start).
    public var offset: Int
    /// ANDed conditions.
    public var filters: [Filter]

    /// A ranking query; largest first, 20 rows by default.
    public init(metric: String, ascending: Bool = false, limit: Int = 20, offset: Int = 0, filters: [Filter] = []) {
        self.metric = metric
        self.ascending = ascending
        self.limit = limit
        self.offset = offset
        self.filters = filters
    }
}

/// One ranked checkpoint.
public struct TopRow: Equatable, Sendable {
    /// The checkpoint.
    public var checkpoint: CheckpointSummary
    /// Its value of the ranking metric.
    public var reading: MetricReading
}

/// `sharpq top`'s answer: numbers in order, then NaN, then missing (in both directions).
public struct TopResult: Equatable, Sendable {
    /// The resolved metric.
    public var metric: MetricRef
    /// Direction used.
    public var ascending: Bool
    /// The rows shown.
    public var rows: [TopRow]
    /// How many checkpoints matched the filters in all.
    public var total: Int
}

/// `sharpq list`: filters, extra metric columns, a row cap.
public struct ListQuery: Equatable, Sendable {
    /// ANDed conditions.
    public var filters: [Filter]
    /// Metric columns to add, in this order.
    public var metrics: [String]
    /// At most this many rows (0 = all).
    public var limit: Int
    /// Rows skipped before the first one returned (a page's start).
    public var offset: Int

    /// A listing query, newest first.
    public init(filters: [Filter] = [], metrics: [String] = [], limit: Int = 50, offset: Int = 0) {
        self.filters = filters
        self.metrics = metrics
        self.limit = limit
        self.offset = offset
    }
}

/// One listed checkpoint with the requested metrics.
public struct ListRow: Equatable, Sendable {
    /// The checkpoint.
    public var checkpoint: CheckpointSummary
    /// One reading per requested metric, same order.
    public var readings: [MetricReading]
    /// Top-level hyperparameters (numbers as reals, booleans as `true`/`false`, nested values
    /// as JSON text).
    public var hyperparameters: [String: SQLValue]
}

/// `sharpq list`'s answer, newest first (ties by hash).
public struct ListResult: Equatable, Sendable {
    /// The resolved metric columns.
    public var metrics: [MetricRef]
    /// The rows shown.
    public var rows: [ListRow]
    /// How many checkpoints matched in all.
    public var total: Int
}

/// One metric present in the index (`sharpq metrics`).
public struct MetricSummary: Equatable, Sendable {
    /// Which metric.
    public var metric: MetricRef
    /// Plugin versions that recorded it.
    public var versions: [String]
    /// Checkpoints with a current value.
    public var checkpoints: Int
    /// Of those, how many are NaN.
    public var nanCount: Int

    /// Makes a summary.
    public init(metric: MetricRef, versions: [String], checkpoints: Int, nanCount: Int) {
        self.metric = metric
        self.versions = versions
        self.checkpoints = checkpoints
        self.nanCount = nanCount
    }
}
