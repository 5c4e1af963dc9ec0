import PluginKit

/// The Hessian's eigenvalue distribution (ESD) by stochastic Lanczos quadrature, definition D1 of
/// docs/algorithms.md#which-eigenvalue-statistics: `runs` × `steps` Lanczos steps (10 × 40 by default, the budget
/// measured in docs/metrics.md#the-slq-budget) from Rademacher starts, full
/// reorthogonalisation in Float64; mean, median, SD and quantiles of the weighted, unsmoothed
/// nodes pooled over runs (standard errors from their spread over runs), and the smoothed
/// density as a series.
///
/// `mode=per-batch` (D5, docs/algorithms.md#per-batch-mode, the one the study's tables fit): the host runs this
/// metric once per mini-batch, with the evaluation data narrowed to that batch, and summarises
/// the one scalar each run reports (`top_eigenvalue`: PyHessian power iteration, largest
/// magnitude, 100 iterations, tol 1e-3) as per_batch_median/mean/sd/min/max.
public final class HessianSpectrum: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "hessian-spectrum", version: "1.1.0",
            summary: "Hessian eigenvalue distribution by SLQ (mean, median, SD, quantiles, density); mode=per-batch: per-batch top eigenvalues",
            parameters: [
                .choice("mode", ["slq", "per-batch"], default: "slq",
                        "slq: ESD of the evaluation data's Hessian; per-batch: the host runs the metric per mini-batch (D5)"),
                .integer("runs", default: 10, minimum: 1, "slq: independent Lanczos runs"),
                .integer("steps", default: 40, minimum: 2, "slq: Lanczos steps per run"),
                .integer("density_points", default: 512, minimum: 16, "slq: grid points of the smoothed density series"),
                .integer("max_basis_mb", default: 4096, minimum: 1, "slq: memory cap for the Float64 basis; caps the steps"),
                .integer("max_iter", default: 100, minimum: 1, "per-batch: power iterations per batch (PyHessian's maxIter)"),
                .number("tol", default: 1e-3, minimum: 0, "per-batch: PyHessian's tol"),
            ])
    }

    let mode: String
    let runs: Int, steps: Int, densityPoints: Int, maxBasisBytes: Int
    let maxIterations: Int, tolerance: Double

    public init(hyperparameters h: Hyperparameters) throws {
        mode = h.string("mode")
        runs = h.integer("runs")
        steps = h.integer("steps")
        densityPoints = h.integer("density_points")
        maxBasisBytes = h.integer("max_basis_mb") << 20
        maxIterations = h.integer("max_iter")
        tolerance = h.number("tol")
    }

    public func evaluate(_ context: MetricContext) throws {
        let op = HessianOperator(context: context)
        let clock = Stopwatch()
        if mode == "per-batch" {
            op.expectedProducts = maxIterations
            var random = ProbeRandom(seed: context.seed)
            let pair = try PowerIteration.run(op, count: 1, maxIterations: maxIterations, tolerance: tolerance, random: &random)[0]
            try context.report("top_eigenvalue", value: pair.value, hvpCount: op.productCount, seconds: clock.seconds)
            return
        }
        let n = op.dimension
        let stepCap = min(steps, n, max(2, maxBasisBytes / max(8 * n, 1)))
        op.expectedProducts = runs * stepCap
        let quadrature = try StochasticLanczosQuadrature.runs(op, runs: runs, steps: stepCap, seed: context.seed)
        let pooled = StochasticLanczosQuadrature.pooled(quadrature)
        let perRun = quadrature.map { WeightedDistribution(values: $0.nodes, weights: $0.weights) }
        let seconds = clock.seconds, products = op.productCount
        func report(_ name: String, _ statistic: (WeightedDistribution) -> Double) throws {
            let error = runs > 1 ? SampleStatistics.standardError(perRun.map(statistic)) : .nan
            try context.report(name, value: statistic(pooled), standardError: error, hvpCount: products, seconds: seconds)
        }
        try report("mean") { $0.mean }
        try report("median") { $0.median }
        try report("sd") { $0.standardDeviation }
        for (name, q) in [("q05", 0.05), ("q25", 0.25), ("q75", 0.75), ("q95", 0.95)] { try report(name) { $0.quantile(q) } }
        let density = StochasticLanczosQuadrature.density(quadrature, steps: stepCap, points: densityPoints)
        try context.reportSeries("density", x: density.x, y: density.y, xLabel: "eigenvalue", yLabel: "density")
        try context.reportSeries("nodes", x: pooled.values, y: pooled.weights, xLabel: "eigenvalue", yLabel: "weight")
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(HessianSpectrum.self)
}
