import PluginKit

/// The Hessian trace (docs/algorithms.md#hutchinson-trace-estimator): Hutchinson with seeded Rademacher probes and a
/// fixed budget (100), reported with its standard error; tr(H²) comes free from the same probes.
/// `method=hutch++` spends the budget on Hutch++ instead. `compat=pyhessian-0.1` reproduces the
/// pip release's early stop (signed denominator: biased low, can return negative traces) and
/// `compat=pyhessian` the current one, only so that published numbers can be matched.
public final class HessianTrace: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "hessian-trace", version: "1.0.0", summary: "Hessian trace by Hutchinson (Rademacher, fixed budget) ± standard error",
            parameters: [
                .choice("method", ["hutchinson", "hutch++"], default: "hutchinson", "estimator"),
                .integer("probes", default: 100, minimum: 1, "probe budget (Hessian-vector products); PyHessian's maxIter in compat modes"),
                .choice("compat", ["none", "pyhessian", "pyhessian-0.1"], default: "none",
                        "reproduce PyHessian's running-mean stopping rule (current, or the pip 0.1 release)"),
                .number("tol", default: 1e-3, minimum: 0, "compat modes: PyHessian's tol"),
                .number("relative_stderr", default: nil, minimum: 0,
                        "optional sequential stop: after 20 probes, once stderr ≤ this·|trace| (null: fixed budget)"),
            ])
    }

    let method: String
    let probes: Int
    let compat: String
    let tolerance: Double
    let relativeStandardError: Double?

    public init(hyperparameters h: Hyperparameters) throws {
        method = h.string("method")
        probes = h.integer("probes")
        compat = h.string("compat")
        tolerance = h.number("tol")
        relativeStandardError = h.optionalNumber("relative_stderr")
        if method == "hutch++" && compat != "none" { throw PluginError.invalidArgument("compat modes use Hutchinson, not hutch++") }
        if method == "hutch++" && probes < 3 { throw PluginError.invalidArgument("hutch++ needs probes ≥ 3") }
    }

    public func evaluate(_ context: MetricContext) throws {
        let op = HessianOperator(context: context)
        op.expectedProducts = probes
        let clock = Stopwatch()
        var random = ProbeRandom(seed: context.seed)
        let estimate: TraceEstimators.Estimate
        if method == "hutch++" {
            estimate = try TraceEstimators.hutchPlusPlus(op, products: probes, random: &random)
        } else {
            let rule: TraceEstimators.StoppingRule
            switch compat {
            case "pyhessian": rule = .pyHessian(tolerance: tolerance)
            case "pyhessian-0.1": rule = .pyHessian01(tolerance: tolerance)
            default: rule = relativeStandardError.map(TraceEstimators.StoppingRule.relativeStandardError) ?? .fixed
            }
            estimate = try TraceEstimators.hutchinson(op, probes: probes, rule: rule, random: &random)
        }
        let seconds = clock.seconds
        try context.report("trace", value: estimate.value, standardError: estimate.standardError, hvpCount: estimate.products, seconds: seconds)
        if estimate.squaredTrace.isFinite {
            try context.report("trace_of_square", value: estimate.squaredTrace, standardError: estimate.squaredTraceStandardError,
                               hvpCount: estimate.products, seconds: seconds)
        }
        try context.reportSeries("probes", x: estimate.samples.indices.map { Double($0 + 1) }, y: estimate.samples,
                                 xLabel: "probe", yLabel: "zHz")
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(HessianTrace.self)
}
