import Foundation
import PluginHost

/// Drives a built metric plugin (the real `.so`, loaded by the host) with synthetic callbacks:
/// the HVP callback applies a known matrix, the loss and gradient are those of ½θᵀHθ.
enum MetricHarness {
    /// The plugins built next to the test executable.
    static let registry = PluginRegistry(searchPath: .standard(store: nil, environment: [:]))

    /// One evaluation of `metric` with `hyperparameters` against `operator` (n × n, as a function).
    /// `record` sees every vector the plugin applies H to.
    static func run(_ metric: String, _ hyperparameters: [String: HyperparameterValue] = [:], dimension n: Int, seed: UInt64 = 0,
                    point: [Double]? = nil, record: (([Double]) -> Void)? = nil,
                    hessian apply: @escaping ([Double]) -> [Double]) throws -> MetricResults {
        let plugin = try registry.metric(named: metric)
        let weights = point ?? [Double](repeating: 0, count: n)
        func at(_ p: UnsafeBufferPointer<Double>?) -> [Double] { p.map(Array.init) ?? weights }
        let callbacks = MetricCallbacks(
            loss: { _, p in
                let x = at(p)
                return (0.5 * zip(x, apply(x)).reduce(0) { $0 + $1.0 * $1.1 }, nil)
            },
            gradient: { _, p, g in
                let x = at(p), hx = apply(x)
                for i in 0..<n { g[i] = hx[i] }
                return 0.5 * zip(x, hx).reduce(0) { $0 + $1.0 * $1.1 }
            },
            hessianVectorProduct: { _, _, v, out in
                let x = Array(v)
                record?(x)
                let hv = apply(x)
                for i in 0..<n { out[i] = hv[i] }
            })
        return try plugin.evaluateMetric(parameters: weights, layout: [ParameterLayoutEntry(name: "theta", shape: [n])], seed: seed,
                                         sampleCount: 1, hyperparameters: hyperparameters, callbacks: callbacks)
    }
}

extension MetricResults {
    /// The scalar named `name`.
    func scalar(_ name: String) -> Scalar? { scalars.first { $0.name == name } }
    /// The value of the scalar named `name` (NaN if missing).
    func value(_ name: String) -> Double { scalar(name)?.value ?? .nan }
    /// The series named `name`.
    func series(_ name: String) -> Series? { series.first { $0.name == name } }
}

/// |a − b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
