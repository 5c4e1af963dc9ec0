/// Identifies one metric computation: a plugin at a version with a parameter set. Metric rows
/// and jobs are unique per checkpoint on this key, so a new plugin version (or new parameters)
/// is scored as missing while the old rows stay.
public struct PluginKey: Hashable, Sendable {
    /// Plugin name (`hessian-trace`).
    public var plugin: String
    /// Plugin version (`1.2.0`); the newest version's rows are the ones queries use.
    public var version: String
    /// Hash of the canonical parameter JSON (the daemon computes it; the index only compares it).
    public var paramsHash: String
    /// The parameters themselves, JSON text, kept for `show` and for workers (optional).
    public var paramsJSON: String?

    /// Names a plugin version and parameter set.
    public init(plugin: String, version: String, paramsHash: String = "default", paramsJSON: String? = nil) {
        self.plugin = plugin
        self.version = version
        self.paramsHash = paramsHash
        self.paramsJSON = paramsJSON
    }
}

/// One scalar a metric plugin produced for one checkpoint.
public struct MetricRecord: Equatable, Sendable {
    /// The checkpoint's row id.
    public var checkpointID: Int64
    /// Which plugin computation produced it.
    public var key: PluginKey
    /// The plugin's output name (canonical names: docs/index-and-queries.md §3).
    public var name: String
    /// The value; NaN is kept (stored as NULL plus `is_nan`), ±infinity is stored as is.
    public var value: Double
    /// Standard error of the estimate, when the plugin gives one.
    public var standardError: Double?
    /// Hessian-vector products spent.
    public var hvpCount: Int?
    /// Seconds spent.
    public var seconds: Double?
    /// The short name the plugin declares for this output, if any (`metric_names.short_name`).
    public var shortName: String?

    /// Describes one scalar result.
    public init(
        checkpointID: Int64, key: PluginKey, name: String, value: Double, standardError: Double? = nil,
        hvpCount: Int? = nil, seconds: Double? = nil, shortName: String? = nil
    ) {
        self.shortName = shortName
        self.checkpointID = checkpointID
        self.key = key
        self.name = name
        self.value = value
        self.standardError = standardError
        self.hvpCount = hvpCount
        self.seconds = seconds
    }
}

/// One series (e.g. an eigenvalue density) a metric plugin produced, as JSON text.
public struct SeriesRecord: Equatable, Sendable {
    /// The checkpoint's row id.
    public var checkpointID: Int64
    /// Which plugin computation produced it.
    public var key: PluginKey
    /// Series name (`density`).
    public var name: String
    /// The data as JSON text, e.g. `{"x":[...],"y":[...]}`.
    public var dataJSON: String

    /// Describes one series.
    public init(checkpointID: Int64, key: PluginKey, name: String, dataJSON: String) {
        self.checkpointID = checkpointID
        self.key = key
        self.name = name
        self.dataJSON = dataJSON
    }
}

/// Everything one scoring run produced, recorded in one transaction.
public struct ScoringResults: Equatable, Sendable {
    /// Scalars.
    public var metrics: [MetricRecord]
    /// Series.
    public var series: [SeriesRecord]

    /// Bundles results.
    public init(metrics: [MetricRecord] = [], series: [SeriesRecord] = []) {
        self.metrics = metrics
        self.series = series
    }
}

extension PluginKey {
    /// Orders versions numerically (`1.10.0` after `1.9.2`): major·10¹², minor·10⁶, patch; a
    /// component that is not a number counts as 0.
    public var versionRank: Int64 {
        let core = version.split(whereSeparator: { $0 == "-" || $0 == "+" }).first ?? ""
        let parts = core.split(separator: ".").prefix(3).map { min(Int64($0) ?? 0, 999_999) }
        let padded = parts + Array(repeating: 0, count: 3 - parts.count)
        return padded[0] * 1_000_000_000_000 + padded[1] * 1_000_000 + padded[2]
    }
}
