import CSharpPlugin

/// Which data a metric callback asks for (`SHARP_DATA_*`).
public enum MetricDataSelection: UInt32, Sendable {
    /// The subset chosen for this evaluation.
    case evaluation = 0
    /// The training split.
    case train = 1
    /// The test split.
    case test = 2
}

/// The engine side of a metric evaluation: float64 callbacks over the chosen data. A nil
/// `parameters` argument means the checkpoint's own weights.
public struct MetricCallbacks {
    /// Mean loss and, if known, accuracy.
    public var loss: (MetricDataSelection, UnsafeBufferPointer<Double>?) throws -> (loss: Double, accuracy: Double?)
    /// Writes ∇L into the buffer and returns L.
    public var gradient: (MetricDataSelection, UnsafeBufferPointer<Double>?, UnsafeMutableBufferPointer<Double>) throws -> Double
    /// Writes H·v (exact) into the last buffer.
    public var hessianVectorProduct: (MetricDataSelection, UnsafeBufferPointer<Double>?, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void
    /// Called with the fraction done; return false to ask the metric to stop.
    public var progress: ((Double) -> Bool)?
    /// Per-sample gradients over the evaluation subset (nil: the host has none): samples
    /// `range` in the subset's order, at the point (nil: the checkpoint's weights), with their own
    /// labels or the given ones (one per sample); gradients row by row, and each sample's loss.
    public var sampleGradients: SampleGradients?
    /// Classes of the model's output (for `sampleGradients` labels).
    public var classCount = 0

    /// `sampleGradients`' type.
    public typealias SampleGradients = (_ point: UnsafeBufferPointer<Double>?, _ range: Range<Int>, _ labels: [Int]?,
                                        _ gradients: UnsafeMutableBufferPointer<Double>, _ losses: UnsafeMutableBufferPointer<Double>) throws -> Void

    /// Callbacks.
    public init(loss: @escaping (MetricDataSelection, UnsafeBufferPointer<Double>?) throws -> (loss: Double, accuracy: Double?),
                gradient: @escaping (MetricDataSelection, UnsafeBufferPointer<Double>?, UnsafeMutableBufferPointer<Double>) throws -> Double,
                hessianVectorProduct: @escaping (MetricDataSelection, UnsafeBufferPointer<Double>?, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void,
                progress: ((Double) -> Bool)? = nil) {
        self.loss = loss
        self.gradient = gradient
        self.hessianVectorProduct = hessianVectorProduct
        self.progress = progress
    }
}

/// Everything a metric reported.
public struct MetricResults: Sendable {
    /// A scalar.
    public struct Scalar: Sendable {
        public let name: String
        public let value: Double
        /// nil when the value is not an estimate.
        public let standardError: Double?
        public let hvpCount: Int
        public let seconds: Double
    }

    /// A series.
    public struct Series: Sendable {
        public let name: String
        public let xLabel: String
        public let yLabel: String
        public let x: [Double]
        public let y: [Double]
    }

    /// Scalars in report order.
    public var scalars: [Scalar] = []
    /// Series in report order.
    public var series: [Series] = []
}

/// The `void *user_data` of a metric context.
private final class MetricBox {
    let callbacks: MetricCallbacks
    let count: Int
    var results = MetricResults()
    var error: (any Error)?

    let sampleCount: Int

    init(_ callbacks: MetricCallbacks, count: Int, sampleCount: Int) {
        self.callbacks = callbacks
        self.count = count
        self.sampleCount = sampleCount
    }

    static func from(_ p: UnsafeMutableRawPointer?) -> MetricBox { Unmanaged<MetricBox>.fromOpaque(p!).takeUnretainedValue() }

    func run(_ body: () throws -> Void) -> Int32 {
        do { try body(); return SHARP_OK } catch { self.error = error; return SHARP_ERROR_CALLBACK }
    }

    func point(_ p: UnsafePointer<Double>?) -> UnsafeBufferPointer<Double>? { p.map { UnsafeBufferPointer(start: $0, count: count) } }
    func data(_ code: UInt32) throws -> MetricDataSelection {
        guard let d = MetricDataSelection(rawValue: code) else { throw PluginHostError.invalidUse("unknown data selector \(code)") }
        return d
    }
}

extension LoadedPlugin {
    /// Runs this metric plugin once and collects what it reports.
    public func evaluateMetric(parameters: [Double], layout: [ParameterLayoutEntry], seed: UInt64, sampleCount: Int,
                               hyperparameters: [String: HyperparameterValue] = [:], callbacks: MetricCallbacks) throws -> MetricResults {
        guard kind == .metric, let table = descriptor.pointee.metric?.pointee else { throw PluginHostError.invalidUse("\(name) is not a metric") }
        guard parameters.count == layout.reduce(0, { $0 + $1.count }) else {
            throw PluginHostError.invalidUse("\(name): \(parameters.count) parameters for a layout of \(layout.reduce(0) { $0 + $1.count })")
        }
        let json: String
        do { json = schema.json(try schema.resolve(hyperparameters)) } catch {
            throw PluginHostError.invalidHyperparameter(plugin: name, reason: "\(error)")
        }
        let box = MetricBox(callbacks, count: parameters.count, sampleCount: sampleCount)
        try withExtendedLifetime(box) {
            try withCLayout(layout, dtype: SHARP_DTYPE_FLOAT64) { cLayout in
                try parameters.withUnsafeBufferPointer { w in
                    var c = sharp_metric_context_v1()
                    c.abi_version = SHARP_PLUGIN_ABI_VERSION
                    c.parameter_count = Int64(parameters.count)
                    c.parameters = w.baseAddress
                    c.layout = cLayout
                    c.seed = seed
                    c.sample_count = Int64(sampleCount)
                    c.user_data = Unmanaged.passUnretained(box).toOpaque()
                    c.loss = { ud, data, p, loss, accuracy in
                        let b = MetricBox.from(ud)
                        return b.run {
                            let r = try b.callbacks.loss(try b.data(data), b.point(p))
                            loss?.pointee = r.loss
                            accuracy?.pointee = r.accuracy ?? .nan
                        }
                    }
                    c.gradient = { ud, data, p, g, loss in
                        let b = MetricBox.from(ud)
                        return b.run { loss?.pointee = try b.callbacks.gradient(try b.data(data), b.point(p), UnsafeMutableBufferPointer(start: g, count: b.count)) }
                    }
                    c.hessian_vector_product = { ud, data, p, v, hv in
                        let b = MetricBox.from(ud)
                        return b.run {
                            try b.callbacks.hessianVectorProduct(try b.data(data), b.point(p), UnsafeBufferPointer(start: v, count: b.count),
                                                                 UnsafeMutableBufferPointer(start: hv, count: b.count))
                        }
                    }
                    c.report_scalar = { ud, s in
                        guard let s = s?.pointee, let n = s.name else { return SHARP_ERROR_INVALID_ARGUMENT }
                        MetricBox.from(ud).results.scalars.append(.init(name: String(cString: n), value: s.value,
                            standardError: s.standard_error.isNaN ? nil : s.standard_error, hvpCount: Int(s.hvp_count), seconds: s.seconds))
                        return SHARP_OK
                    }
                    c.report_series = { ud, s in
                        guard let s = s?.pointee, let n = s.name, s.count >= 0 else { return SHARP_ERROR_INVALID_ARGUMENT }
                        let x = Array(UnsafeBufferPointer(start: s.x, count: Int(s.count))), y = Array(UnsafeBufferPointer(start: s.y, count: Int(s.count)))
                        MetricBox.from(ud).results.series.append(.init(name: String(cString: n), xLabel: s.x_label.map { String(cString: $0) } ?? "x",
                                                                       yLabel: s.y_label.map { String(cString: $0) } ?? "y", x: x, y: y))
                        return SHARP_OK
                    }
                    c.progress = { ud, fraction in MetricBox.from(ud).callbacks.progress?(fraction) == false ? 1 : SHARP_OK }
                    if callbacks.sampleGradients != nil {
                        c.flags |= SHARP_METRIC_HAS_SAMPLE_GRADIENTS
                        c.class_count = Int64(callbacks.classCount)
                    }
                    c.sample_gradients = { ud, p, first, count, labels, g, losses in
                        let b = MetricBox.from(ud)
                        return b.run {
                            guard let sample = b.callbacks.sampleGradients else { throw PluginHostError.invalidUse("this host has no per-sample gradients") }
                            guard first >= 0, count >= 0, count <= Int64(b.sampleCount) - first, let g else {
                                throw PluginHostError.invalidUse("sample_gradients: samples \(first) ..< \(first) + \(count) of \(b.sampleCount), or no output buffer")
                            }
                            let n = Int(count)
                            var own = [Double](repeating: 0, count: n)
                            try own.withUnsafeMutableBufferPointer { l in
                                try sample(b.point(p), Int(first)..<Int(first) + n, labels.map { Array(UnsafeBufferPointer(start: $0, count: n)).map(Int.init) },
                                           UnsafeMutableBufferPointer(start: g, count: n * b.count), l)
                            }
                            if let losses { for i in 0..<n { losses[i] = own[i] } }
                        }
                    }
                    try callPlugin(name, "evaluate", callbackError: { box.error }) { message in json.withCString { table.evaluate(&c, $0, message) } }
                }
            }
        }
        return box.results
    }
}
