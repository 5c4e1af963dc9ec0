import Index
import Scoring

extension ScoringResults {
    /// A metric's outcome as index rows under `key`.
    public init(_ outcome: MetricOutcome, checkpointID: Int64, key: PluginKey) {
        let metrics = outcome.scalars.map {
            MetricRecord(checkpointID: checkpointID, key: key, name: $0.name, value: $0.value, standardError: $0.standardError,
                         hvpCount: $0.hvpCount, seconds: $0.seconds, shortName: outcome.shortNames[$0.name])
        }
        let series = outcome.series.map {
            SeriesRecord(checkpointID: checkpointID, key: key, name: $0.name,
                         dataJSON: SeriesJSON.encode(x: $0.x, y: $0.y, xLabel: $0.xLabel, yLabel: $0.yLabel))
        }
        self.init(metrics: metrics, series: series)
    }
}

extension PluginKey {
    /// The index's form of a metric job key.
    public init(_ job: MetricJobKey) {
        self.init(plugin: job.plugin, version: job.version, paramsHash: job.parametersHash, paramsJSON: job.parametersJSON)
    }
}
