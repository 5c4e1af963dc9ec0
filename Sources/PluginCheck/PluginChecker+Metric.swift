import CSharpPlugin
import Foundation
import PluginHost

/// A metric's checks, on L(w) = ½·wᵀHw with H = Q·diag(λ)·Q and Q a Householder reflection: a
/// dense Hessian whose eigenvalues are known exactly.
extension PluginChecker {
    /// The spectrum the checks use (one negative eigenvalue, for `lambda_min`).
    static let spectrum: [Double] = [10, 7, 5, 3, 2, 1, 0.5, 0.25, 0.1, -0.5]

    /// One output of a metric run.
    public struct Output: Sendable {
        public let value: Double
        /// nil when the plugin did not give one.
        public let standardError: Double?
        public let hvpCount: Int
    }

    /// Runs the metric on ½·wᵀHw with H = Q·diag(`eigenvalues`)·Q (Q a fixed Householder
    /// reflection, so H is dense), at a fixed point, with exact callbacks; every data selection
    /// sees the same quadratic, with accuracy 0.75. Returns the scalars by name and the products made.
    public func evaluateOnQuadratic(eigenvalues: [Double], hyperparameters: [String: String] = [:], seed: UInt64 = 1) throws
        -> (outputs: [String: Output], products: Int)
    {
        try evaluate(Quadratic(eigenvalues), try parse(hyperparameters), seed: seed)
    }

    func metricChecks(_ values: [String: HyperparameterValue]) -> [PluginCheckReport.Check] {
        let quadratic = Quadratic(Self.spectrum)
        var checks = [check("hyperparameters") {
            var problems = schemaProblems()
            let reserved = ["samples", "split", "batch"]
            for p in plugin.schema.properties where reserved.contains(p.name) {
                problems.append("\(p.name) is the host's (per-metric evaluation data); rename it")
            }
            guard problems.isEmpty else { throw Failure(text: problems.joined(separator: "; ")) }
            return "\(plugin.schema.properties.count) parameter(s); defaults within bounds; no host-reserved names"
        }]
        let first: (outputs: [String: Output], products: Int)
        do {
            first = try evaluate(quadratic, values, seed: 1)
        } catch PluginHostError.pluginFailed(_, _, let status, let message) where status == SHARP_ERROR_UNSUPPORTED {
            // A metric that needs what a quadratic cannot give (per-sample gradients): say so, do not fail it.
            return checks + [.init(name: "evaluates", passed: true, detail: "not run: the checker's quadratic has no samples or classes (\(message))",
                                   skipped: true)]
        } catch {
            return checks + [.init(name: "evaluates", passed: false, detail: "\(error)")]
        }
        checks.append(check("evaluates") {
            let bad = first.outputs.filter { !$0.value.value.isFinite }.keys.sorted()
            guard !first.outputs.isEmpty else { throw Failure(text: "reported no scalar") }
            guard bad.isEmpty else { throw Failure(text: "not finite: \(bad.joined(separator: ", "))") }
            return "\(first.outputs.count) scalar(s), \(first.products) HVP(s) on a 10-parameter quadratic"
        })
        checks.append(check("known spectrum") { try spectrumCheck(first.outputs, quadratic) })
        checks.append(check("deterministic") {
            let again = try evaluate(quadratic, values, seed: 1)
            let differing = first.outputs.keys.filter { again.outputs[$0]?.value.bitPattern != first.outputs[$0]?.value.bitPattern }.sorted()
            guard differing.isEmpty else { throw Failure(text: "the same seed gave other values for \(differing.joined(separator: ", ")); draw random numbers from context.seed only") }
            return "the same seed gives bit-identical values"
        })
        checks.append(check("HVP counts") {
            let over = first.outputs.filter { $0.value.hvpCount > first.products }.keys.sorted()
            guard over.isEmpty else { throw Failure(text: "\(over.joined(separator: ", ")) claim more HVPs than the \(first.products) made") }
            return "no output claims more than the \(first.products) product(s) made"
        })
        return checks
    }

    /// Compares the outputs whose names have a known value on the quadratic.
    private func spectrumCheck(_ outputs: [String: Output], _ q: Quadratic) throws -> String {
        let sorted = q.eigenvalues.sorted(by: >)
        var truth: [String: Double] = [
            "lambda_max": sorted[0], "lambda_min": sorted.last!, "abs_lambda_max": q.eigenvalues.map(abs).max()!,
            "top_eigenvalue": q.eigenvalues.max { abs($0) < abs($1) }!, "trace": q.eigenvalues.reduce(0, +),
            "trace_of_square": q.eigenvalues.map { $0 * $0 }.reduce(0, +), "loss": q.loss(q.point), "gradient_norm": q.gradientNorm,
            "train_loss": q.loss(q.point), "test_loss": q.loss(q.point), "gap": 0,
            "train_acc": Quadratic.accuracy, "test_acc": Quadratic.accuracy,
        ]
        for (i, value) in sorted.enumerated() { truth["lambda_\(i + 1)"] = value }
        let scale = q.eigenvalues.map(abs).max()!
        var compared: [String] = [], wrong: [String] = []
        // A plugin's own names for the same quantities (`power_top_eigenvalue`) match by suffix.
        let suffixed = ["top_eigenvalue", "lambda_max"]
        for (name, output) in outputs.sorted(by: { $0.key < $1.key }) {
            guard let expected = truth[name] ?? suffixed.first(where: { name.hasSuffix("_" + $0) }).flatMap({ truth[$0] }) else { continue }
            // An estimate may miss by its standard error; an iterative value by Krylov-like tolerances.
            let allowed = (output.standardError.map { 5 * $0 } ?? 0) + 1e-2 * max(abs(expected), scale * 1e-3)
            let line = String(format: "%@ %.6g (exact %.6g)", name, output.value, expected)
            if abs(output.value - expected) <= allowed { compared.append(line) } else { wrong.append(line) }
        }
        guard wrong.isEmpty else {
            throw Failure(text: "wrong on a Hessian with eigenvalues \(q.eigenvalues.map { String(format: "%g", $0) }.joined(separator: ", ")): "
                + wrong.joined(separator: "; "))
        }
        guard !compared.isEmpty else { throw Skipped(text: "no output has a name with a known value (lambda_max, lambda_k, lambda_min, "
            + "abs_lambda_max, top_eigenvalue or a name ending in _top_eigenvalue or _lambda_max, trace, trace_of_square, loss, "
            + "gradient_norm, train_acc, test_acc, train_loss, test_loss, gap); test yours with evaluateOnQuadratic(eigenvalues:)") }
        return compared.joined(separator: "; ")
    }

    private func evaluate(_ q: Quadratic, _ values: [String: HyperparameterValue], seed: UInt64) throws
        -> (outputs: [String: Output], products: Int)
    {
        final class Counter { var products = 0 }
        let counter = Counter()
        let callbacks = MetricCallbacks(
            loss: { _, p in (q.loss(p.map(Array.init) ?? q.point), Quadratic.accuracy) },
            gradient: { _, p, g in
                let x = p.map(Array.init) ?? q.point
                let hx = q.apply(x)
                for i in 0..<hx.count { g[i] = hx[i] }
                return q.loss(x)
            },
            hessianVectorProduct: { _, _, v, hv in
                counter.products += 1
                let product = q.apply(Array(v))
                for i in 0..<product.count { hv[i] = product[i] }
            })
        let results = try plugin.evaluateMetric(parameters: q.point, layout: [ParameterLayoutEntry(name: "w", shape: [q.point.count])],
                                                seed: seed, sampleCount: 64, hyperparameters: values, callbacks: callbacks)
        var outputs: [String: Output] = [:]
        for s in results.scalars {
            outputs[s.name] = Output(value: s.value, standardError: s.standardError.flatMap { $0.isFinite ? $0 : nil }, hvpCount: s.hvpCount)
        }
        return (outputs, counter.products)
    }
}

/// ½·wᵀHw with H = Q·diag(λ)·Q, Q = I − 2uuᵀ/‖u‖² (symmetric, orthogonal, its own inverse).
struct Quadratic: Sendable {
    /// What the loss callback reports as accuracy, on every split.
    static let accuracy = 0.75

    let eigenvalues: [Double]
    let u: [Double]
    let point: [Double]

    init(_ eigenvalues: [Double]) {
        self.eigenvalues = eigenvalues
        let n = eigenvalues.count
        u = (0..<n).map { 1 + 0.3 * Double($0) }
        point = (0..<n).map { 0.5 - 0.13 * Double($0) }
    }

    func reflect(_ x: [Double]) -> [Double] {
        let scale = 2 * zip(u, x).reduce(0) { $0 + $1.0 * $1.1 } / u.reduce(0) { $0 + $1 * $1 }
        return zip(x, u).map { $0 - scale * $1 }
    }

    func apply(_ x: [Double]) -> [Double] { reflect(zip(eigenvalues, reflect(x)).map(*)) }

    func loss(_ x: [Double]) -> Double { 0.5 * zip(x, apply(x)).reduce(0) { $0 + $1.0 * $1.1 } }

    var gradientNorm: Double { apply(point).map { $0 * $0 }.reduce(0, +).squareRoot() }
}
