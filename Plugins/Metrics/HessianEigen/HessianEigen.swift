import PluginKit

/// Extreme Hessian eigenvalues (docs/algorithms.md#lanczos). Default: Lanczos from a seeded
/// Gaussian start with full reorthogonalisation in Float64, stopping once the k largest Ritz
/// values have residuals ‖Hy − θy‖ ≤ tol·|θ| and the smallest one ≤ tol·max|θ| (a residual r
/// bounds the eigenvalue error; the error itself is about r²/gap, `Lanczos.errorBounds`).
/// Reports λ_max (largest algebraic), λ_min (smallest
/// algebraic) and |λ|_max separately. `method=power` reproduces PyHessian's power iteration
/// (largest magnitude, tol 1e-3, 100 iterations, deflation for top-k) and reports its signed
/// `top_eigenvalue`.
public final class HessianEigen: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(
            name: "hessian-eigen", version: "1.0.0", summary: "extreme Hessian eigenvalues by Lanczos (or PyHessian power iteration)",
            parameters: [
                .choice("method", ["lanczos", "power"], default: "lanczos", "lanczos (default) or power (PyHessian's eigenvalues())"),
                .integer("k", default: 5, minimum: 1, maximum: 100, "how many of the largest eigenvalues to report as top_k"),
                .number("tol", default: nil, minimum: 0,
                        "lanczos: relative Ritz residual, a bound on the eigenvalue error (null: 1e-6); power: relative change of the estimate (null: 1e-3)"),
                .integer("max_steps", default: 60, minimum: 1, "lanczos: most steps (Hessian-vector products)"),
                .integer("max_iter", default: 100, minimum: 1, "power: most iterations per eigenvalue (PyHessian's maxIter)"),
                .integer("max_basis_mb", default: 4096, minimum: 1, "lanczos: memory cap for the Float64 basis; caps the steps"),
            ])
    }

    let method: String
    let k: Int
    let tolerance: Double?
    let maxSteps: Int
    let maxIterations: Int
    let maxBasisBytes: Int

    public init(hyperparameters h: Hyperparameters) throws {
        method = h.string("method")
        k = h.integer("k")
        tolerance = h.optionalNumber("tol")
        maxSteps = h.integer("max_steps")
        maxIterations = h.integer("max_iter")
        maxBasisBytes = h.integer("max_basis_mb") << 20
    }

    public func evaluate(_ context: MetricContext) throws {
        let op = HessianOperator(context: context)
        let clock = Stopwatch()
        if method == "power" {
            try power(op, context, clock)
        } else {
            try lanczos(op, context, clock)
        }
    }

    func lanczos(_ op: HessianOperator, _ context: MetricContext, _ clock: Stopwatch) throws {
        let tol = tolerance ?? 1e-6
        let n = op.dimension
        let steps = min(maxSteps, max(1, maxBasisBytes / max(8 * n, 1)))
        guard steps > k || steps >= n else {
            throw PluginError.invalidArgument("max_basis_mb allows \(steps) Lanczos steps for \(n) parameters; k = \(k) needs more")
        }
        op.expectedProducts = steps
        var random = ProbeRandom(seed: context.seed)
        var converged = false
        let result = try Lanczos.run(op, start: random.gaussianVector(n), maxSteps: steps) { theta, residuals in
            converged = Lanczos.converged(theta, residuals, k: k, tolerance: tol, gap: false)
            return converged
        }
        converged = converged || result.invariant
        let theta = result.ritzValues, seconds = clock.seconds, products = op.productCount
        guard let high = theta.last, let low = theta.first else { throw PluginError.numerical("Lanczos produced no Ritz values") }
        try context.report("lambda_max", value: high, hvpCount: products, seconds: seconds)
        try context.report("lambda_min", value: low, hvpCount: products, seconds: seconds)
        try context.report("abs_lambda_max", value: max(abs(high), abs(low)), hvpCount: products, seconds: seconds)
        try context.report("converged", value: converged ? 1 : 0, hvpCount: products, seconds: seconds)
        let top = Array(theta.indices.reversed().prefix(k))
        // Which of the top k missed the tolerance, and by how much: a Ritz value's relative
        // residual ‖Hy − θy‖/|θ| bounds its relative error.
        let relative = top.map { result.residuals[$0] / max(abs(theta[$0]), Double.leastNormalMagnitude) }
        try context.report("unconverged", value: Double(relative.filter { $0 > tol }.count), hvpCount: products, seconds: seconds)
        try context.report("max_relative_residual", value: relative.max() ?? 0, hvpCount: products, seconds: seconds)
        // lambda_2 … lambda_k as scalars too (docs/index-and-queries.md §3), so they can be queried.
        for (rank, i) in top.enumerated().dropFirst() {
            try context.report("lambda_\(rank + 1)", value: theta[i], hvpCount: products, seconds: seconds)
        }
        try context.reportSeries("top_k", x: top.indices.map { Double($0 + 1) }, y: top.map { theta[$0] }, xLabel: "rank", yLabel: "eigenvalue")
        try context.reportSeries("residuals", x: top.indices.map { Double($0 + 1) }, y: top.map { result.residuals[$0] },
                                 xLabel: "rank", yLabel: "ritz_residual")
        try context.reportSeries("convergence", x: result.history.map { Double($0.products) }, y: result.history.map(\.largest),
                                 xLabel: "hvp_count", yLabel: "lambda_max")
    }

    func power(_ op: HessianOperator, _ context: MetricContext, _ clock: Stopwatch) throws {
        op.expectedProducts = k * maxIterations
        var random = ProbeRandom(seed: context.seed)
        let pairs = try PowerIteration.run(op, count: k, maxIterations: maxIterations, tolerance: tolerance ?? 1e-3, random: &random)
        let seconds = clock.seconds, products = op.productCount
        try context.report("top_eigenvalue", value: pairs[0].value, hvpCount: products, seconds: seconds)
        try context.report("abs_lambda_max", value: abs(pairs[0].value), hvpCount: products, seconds: seconds)
        try context.reportSeries("top_k", x: pairs.indices.map { Double($0 + 1) }, y: pairs.map(\.value), xLabel: "rank", yLabel: "eigenvalue")
        try context.reportSeries("convergence", x: pairs[0].history.map { Double($0.products) }, y: pairs[0].history.map(\.value),
                                 xLabel: "hvp_count", yLabel: "top_eigenvalue")
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(HessianEigen.self)
}
