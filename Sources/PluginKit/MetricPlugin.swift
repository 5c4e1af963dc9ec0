import CSharpPlugin

/// Which data a metric callback runs on.
public enum MetricData: UInt32, Sendable {
    /// The subset the host chose for this run (train or test, all or n samples).
    case evaluation = 0
    /// The training split.
    case train = 1
    /// The test split.
    case test = 2
}

/// A metric a plugin exports: `PluginExport.metric(MyMetric.self)`.
///
/// The host creates an instance per evaluation with the resolved hyperparameters, then calls
/// `evaluate`, which reports its results through the context.
public protocol MetricPlugin: AnyObject {
    /// Name, version, summary and hyperparameters.
    static var description: PluginDescription { get }
    /// Checks hyperparameters.
    init(hyperparameters: Hyperparameters) throws
    /// Computes and reports the metric's scalars and series.
    func evaluate(_ context: MetricContext) throws
    /// Whether `evaluate` needs `MetricContext.sampleGradients` (evaluation mode only): such a
    /// metric is left out of default plans in training mode. False by default.
    static var usesSampleGradients: Bool { get }
}

extension MetricPlugin {
    /// Does not use per-sample gradients.
    public static var usesSampleGradients: Bool { false }
}

/// What a metric sees: the checkpoint's weights and float64 loss/gradient/HVP callbacks over the
/// data the host chose (batched, weighted by batch size, in the recorded mode), plus a result sink.
public struct MetricContext {
    /// The checkpoint's weights.
    public let parameters: UnsafeBufferPointer<Double>
    /// Names and shapes of the parameters.
    public let layout: ParameterLayout
    /// Seed for random probes (same seed, same result).
    public let seed: UInt64
    /// Samples in the evaluation subset.
    public let sampleCount: Int
    let raw: UnsafePointer<sharp_metric_context_v1>

    init(_ raw: UnsafePointer<sharp_metric_context_v1>) throws {
        // Field by field, never `raw.pointee` whole: a host that predates the fields behind
        // SHARP_METRIC_HAS_SAMPLE_GRADIENTS passes a shorter struct.
        let c = raw
        guard c.pointee.abi_version == SHARP_PLUGIN_ABI_VERSION else {
            throw PluginError.invalidArgument("metric context has ABI version \(c.pointee.abi_version), expected \(SHARP_PLUGIN_ABI_VERSION)")
        }
        guard let p = c.pointee.parameters, let layout = c.pointee.layout, c.pointee.loss != nil, c.pointee.gradient != nil,
              c.pointee.hessian_vector_product != nil, c.pointee.report_scalar != nil, c.pointee.report_series != nil else {
            throw PluginError.invalidArgument("metric context is missing parameters, layout or a callback")
        }
        parameters = UnsafeBufferPointer(start: p, count: Int(c.pointee.parameter_count))
        self.layout = try ParameterLayout(layout)
        seed = c.pointee.seed
        sampleCount = Int(c.pointee.sample_count)
        self.raw = raw
    }

    /// Number of parameters.
    public var parameterCount: Int { parameters.count }

    /// Mean loss (and accuracy, if the host knows it) at `point` (nil: the checkpoint's weights).
    public func loss(at point: UnsafeBufferPointer<Double>? = nil, data: MetricData = .evaluation) throws -> (loss: Double, accuracy: Double?) {
        var loss = Double.nan, accuracy = Double.nan
        try check(raw.pointee.loss(raw.pointee.user_data, data.rawValue, point?.baseAddress, &loss, &accuracy), "loss")
        return (loss, accuracy.isNaN ? nil : accuracy)
    }

    /// Writes ∇L at `point` (nil: the checkpoint's weights) and returns L.
    public func gradient(at point: UnsafeBufferPointer<Double>? = nil, into gradient: UnsafeMutableBufferPointer<Double>,
                         data: MetricData = .evaluation) throws -> Double {
        precondition(gradient.count == parameterCount, "gradient: output must have the parameter count")
        var loss = Double.nan
        try check(raw.pointee.gradient(raw.pointee.user_data, data.rawValue, point?.baseAddress, gradient.baseAddress, &loss), "gradient")
        return loss
    }

    /// Writes H·v at `point` (nil: the checkpoint's weights), exact (never finite differences).
    public func hessianVectorProduct(_ vector: UnsafeBufferPointer<Double>, into product: UnsafeMutableBufferPointer<Double>,
                                     at point: UnsafeBufferPointer<Double>? = nil, data: MetricData = .evaluation) throws {
        precondition(vector.count == parameterCount && product.count == parameterCount, "hessianVectorProduct: buffers must have the parameter count")
        try check(raw.pointee.hessian_vector_product(raw.pointee.user_data, data.rawValue, point?.baseAddress, vector.baseAddress, product.baseAddress),
                  "hessian_vector_product")
    }

    /// Reports one scalar result.
    public func report(_ name: String, value: Double, standardError: Double = .nan, hvpCount: Int = 0, seconds: Double = 0) throws {
        try name.withCString { cName in
            var s = sharp_metric_scalar_v1(name: cName, value: value, standard_error: standardError, hvp_count: Int64(hvpCount), seconds: seconds)
            try check(raw.pointee.report_scalar(raw.pointee.user_data, &s), "report_scalar")
        }
    }

    /// Reports one series (x and y of equal length), e.g. an eigenvalue density.
    public func reportSeries(_ name: String, x: [Double], y: [Double], xLabel: String = "x", yLabel: String = "y") throws {
        precondition(x.count == y.count, "reportSeries: \(x.count) x values and \(y.count) y values")
        try name.withCString { n in
            try xLabel.withCString { xl in
                try yLabel.withCString { yl in
                    try x.withUnsafeBufferPointer { xs in
                        try y.withUnsafeBufferPointer { ys in
                            var s = sharp_metric_series_v1(name: n, x_label: xl, y_label: yl, x: xs.baseAddress, y: ys.baseAddress, count: Int64(x.count))
                            try check(raw.pointee.report_series(raw.pointee.user_data, &s), "report_series")
                        }
                    }
                }
            }
        }
    }

    /// Whether the host gives per-sample gradients (`sampleGradients`).
    public var hasSampleGradients: Bool {
        raw.pointee.flags & SHARP_METRIC_HAS_SAMPLE_GRADIENTS != 0 && raw.pointee.sample_gradients != nil
    }

    /// Classes of the model's output; 0 when the host does not say (`hasSampleGradients` false).
    public var classCount: Int { hasSampleGradients ? Int(raw.pointee.class_count) : 0 }

    /// Per-sample gradients: for samples `range` of the evaluation subset (`0..<sampleCount`), the
    /// gradient of each sample's own loss ℓ_i, row after row into `gradients` (`range.count` ×
    /// `parameterCount`), at `point` (nil: the checkpoint's weights), with each sample's own label or
    /// `labels[k]` (in `0..<classCount`). Returns the losses ℓ_i. Throws when the host has none.
    @discardableResult
    public func sampleGradients(_ range: Range<Int>, labels: [Int]? = nil, into gradients: UnsafeMutableBufferPointer<Double>,
                                at point: UnsafeBufferPointer<Double>? = nil) throws -> [Double] {
        guard hasSampleGradients, let callback = raw.pointee.sample_gradients else {
            throw PluginError.unsupported("this host gives no per-sample gradients")
        }
        precondition(gradients.count == range.count * parameterCount, "sampleGradients: output must hold range.count × parameterCount values")
        precondition(labels.map { $0.count == range.count } ?? true, "sampleGradients: one label per sample")
        var losses = [Double](repeating: .nan, count: range.count)
        let codes = labels?.map(Int64.init)
        try losses.withUnsafeMutableBufferPointer { l in
            try withOptionalPointer(codes) { labelPointer in
                try check(callback(raw.pointee.user_data, point?.baseAddress, Int64(range.lowerBound), Int64(range.count), labelPointer,
                                   gradients.baseAddress, l.baseAddress), "sample_gradients")
            }
        }
        return losses
    }

    /// Tells the host how far along the metric is; false means the host asks it to stop.
    public func progress(_ fractionDone: Double) -> Bool {
        guard let progress = raw.pointee.progress else { return true }
        return progress(raw.pointee.user_data, fractionDone) == SHARP_OK
    }

    private func withOptionalPointer<R>(_ values: [Int64]?, _ body: (UnsafePointer<Int64>?) throws -> R) rethrows -> R {
        guard let values else { return try body(nil) }
        return try values.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == SHARP_OK else { throw PluginError.callbackFailed("\(what) returned \(status)") }
    }
}

/// The C side of `sharp_metric_vtable_v1`.
private nonisolated(unsafe) var exportedMetric: (any MetricPlugin.Type)?

enum MetricVTable {
    static func descriptor(_ type: any MetricPlugin.Type) -> UnsafeMutablePointer<sharp_plugin_descriptor_v1> {
        exportedMetric = type
        var table = sharp_metric_vtable_v1()
        table.abi_version = SHARP_PLUGIN_ABI_VERSION
        table.flags = type.usesSampleGradients ? SHARP_METRIC_USES_SAMPLE_GRADIENTS : 0
        table.evaluate = { context, json, error in
            reportingErrors(error) {
                guard let context, let type = exportedMetric else { throw PluginError.invalidArgument("evaluate: no context") }
                try MetricVTable.evaluate(type, context, json: json.map { String(cString: $0) } ?? "{}")
            }
        }
        var d = PluginExport.baseDescriptor(kind: SHARP_PLUGIN_KIND_METRIC, type.description)
        d.metric = UnsafePointer(PluginExport.permanent(table))
        return PluginExport.permanent(d)
    }

    static func evaluate<M: MetricPlugin>(_ type: M.Type, _ context: UnsafePointer<sharp_metric_context_v1>, json: String) throws {
        let metric = try M(hyperparameters: Hyperparameters(json: json, specs: M.description.parameters))
        try metric.evaluate(MetricContext(context))
    }
}
