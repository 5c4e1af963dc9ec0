import PluginKit
import PluginHost
import Testing

/// The `sharpness` plugin on a quadratic L = ½θᵀHθ, where the ascent points have closed forms,
/// and the `accuracy` plugin's outputs.
@Suite struct SharpnessMetricTests {
    @Test func oneStepIsTheSAMPointAndMoreStepsNeverDoWorse() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 256), rotated: true)
        var random = ProbeRandom(seed: 3)
        let w = random.gaussianVector(256)
        let loss = { (x: [Double]) in 0.5 * VectorMath.dot(x, h.apply(x)) }
        let g = h.apply(w), rho = 0.05
        var samPoint = w
        VectorMath.axpy(rho / VectorMath.norm(g), g, &samPoint)
        let one = try MetricHarness.run("sharpness", ["steps": .number(1)], dimension: 256, point: w, hessian: h.apply)
        #expect(relativeError(one.value("sharpness"), loss(samPoint) - loss(w)) < 1e-10)
        // ASAM's point: ρ·T²g/‖Tg‖ with T = |w| + η.
        let t = w.map { abs($0) + 0.01 }
        let tg = zip(t, g).map { $0 * $1 }
        var asamPoint = w
        VectorMath.axpy(0.5 / VectorMath.norm(tg), zip(t, tg).map { $0 * $1 }, &asamPoint)
        #expect(relativeError(one.value("adaptive_sharpness"), loss(asamPoint) - loss(w)) < 1e-10)
        let five = try MetricHarness.run("sharpness", dimension: 256, point: w, hessian: h.apply)
        #expect(five.value("sharpness") >= one.value("sharpness") * (1 - 1e-12))
        // Never above the exact bound ρ‖g‖ + ½ρ²λ_max.
        #expect(five.value("sharpness") <= rho * VectorMath.norm(g) + 0.5 * rho * rho * 200 + 1e-9)
    }
}
