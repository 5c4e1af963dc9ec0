/// Everything one metric produced on one checkpoint, with what it cost.
public struct MetricOutcome: Sendable, Codable {
    /// A scalar output.
    public struct Scalar: Sendable, Codable {
        /// Output name (`lambda_max`).
        public let name: String
        /// Value.
        public let value: Double
        /// Standard error, when the value is an estimate.
        public let standardError: Double?
        /// Hessian-vector products behind the value (as the plugin reports it).
        public let hvpCount: Int
        /// Seconds the plugin spent on it.
        public let seconds: Double

        /// The names sharpq and the CSV forms use (`sharp score --format json`).
        enum CodingKeys: String, CodingKey {
            case name, value, seconds
            case standardError = "stderr"
            case hvpCount = "hvp_count"
        }
    }

    /// A series output (a density, the top-k eigenvalues, a convergence history).
    public struct Series: Sendable, Codable {
        /// Output name (`density`).
        public let name: String
        /// Axis labels.
        public let xLabel: String, yLabel: String
        /// Points, equal in number.
        public let x: [Double], y: [Double]
    }

    /// The request as typed.
    public let request: String
    /// The plugin's registered name and version.
    public let plugin: String, version: String
    /// The resolved hyperparameters as the plugin received them (JSON).
    public let hyperparameters: String
    /// Scalar outputs in report order.
    public var scalars: [Scalar]
    /// Series outputs in report order.
    public var series: [Series]
    /// Wall-clock seconds of the whole metric, host work included.
    public var seconds: Double
    /// What the evaluation callbacks did for this metric.
    public var counters: EvaluationCounters
    /// What a reader of the results should know that no value says (`sharpness`: the optimizers
    /// it skipped); shown by `sharp score` and logged by sharpd.
    public var notes: [String]
    /// The short names the plugin declares for its outputs (output → short), for the index.
    public var shortNames: [String: String] = [:]

    /// The JSON names (`sharp score --format json`).
    enum CodingKeys: String, CodingKey {
        case request, plugin, version, hyperparameters, scalars, series, seconds, counters, notes
        case shortNames = "short_names"
    }
}
