import Index
import Foundation

/// Everything the index holds about one checkpoint (`sharpq show`).
public struct CheckpointDetail: Equatable, Sendable {
    /// One named column of the `checkpoints` row.
    public struct Field: Equatable, Sendable {
        /// Column name.
        public var name: String
        /// Its value.
        public var value: SQLValue
        /// True when `value` is JSON text to embed as JSON (hyperparameters, configs).
        public var isJSON: Bool
    }

    /// One path the bytes were seen at.
    public struct PathSeen: Equatable, Sendable {
        /// The path.
        public var path: String
        /// Whether the file is still there.
        public var present: Bool
        /// First seen.
        public var firstSeenAt: Date
        /// Last seen.
        public var lastSeenAt: Date
    }

    /// One stored metric row (every version and parameter set, not only the current one).
    public struct StoredMetric: Equatable, Sendable {
        /// Which metric.
        public var metric: MetricRef
        /// Plugin version.
        public var pluginVersion: String
        /// Parameter hash.
        public var paramsHash: String
        /// Value.
        public var value: MetricValue
        /// Standard error.
        public var standardError: Double?
        /// HVPs spent.
        public var hvpCount: Int?
        /// Seconds spent.
        public var seconds: Double?
        /// When recorded.
        public var recordedAt: Date
        /// Whether queries use this row (newest version).
        public var isCurrent: Bool
    }

    /// One stored series (data not included; `sharpq sql` reads it).
    public struct SeriesInfo: Equatable, Sendable {
        /// Plugin name.
        public var plugin: String
        /// Plugin version.
        public var pluginVersion: String
        /// Series name.
        public var name: String
        /// Size of the JSON text in bytes.
        public var bytes: Int
    }

    /// Every column of the checkpoint's row, in table order.
    public var fields: [Field]
    /// Paths seen.
    public var paths: [PathSeen]
    /// Metric rows, by plugin, name, then newest version first.
    public var metrics: [StoredMetric]
    /// Series stored.
    public var series: [SeriesInfo]
    /// Jobs for it.
    public var jobs: [Job]

    /// The content hash.
    public var sha256: String { fields.first { $0.name == "sha256" }?.value.string ?? "" }
}

extension CheckpointDetail.StoredMetric {
    /// The `metrics` columns `init(row:isCurrent:)` reads, in its order.
    static let columns = "plugin, name, plugin_version, params_hash, value, is_nan, stderr, hvp_count, seconds, recorded_at"

    /// A `metrics` row that starts with `columns`; `present` gives plugins' declared short names.
    init(row r: [SQLValue], isCurrent: Bool, present: [PresentMetric]) {
        let plugin = r[0].string ?? "", name = r[1].string ?? ""
        self.init(
            metric: MetricCatalog.ref(plugin: plugin, name: name, present: present),
            pluginVersion: r[2].string ?? "", paramsHash: r[3].string ?? "",
            value: r[5].int64 == 1 ? .nan : r[4].double.map { .number($0) } ?? .missing,
            standardError: r[6].double, hvpCount: r[7].int64.map { Int($0) }, seconds: r[8].double,
            recordedAt: r[9].date ?? .distantPast, isCurrent: isCurrent)
    }
}
