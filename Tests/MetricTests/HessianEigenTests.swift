import PluginHost
import Testing

/// docs/algorithms.md#validation V4 through the `hessian-eigen` plugin: known spectra, Lanczos and PyHessian's
/// power iteration, and the HVP comparison of docs/metrics.md §hessian-eigen.
@Suite struct HessianEigenTests {
    @Test func lanczosFindsTopFiveOutliersAndBothEnds() throws {
        let spectrum = Spectra.outliers(n: 3000)
        let h = SyntheticHessian(eigenvalues: spectrum, rotated: false)
        let r = try MetricHarness.run("hessian-eigen", ["k": .number(5)], dimension: h.dimension, hessian: h.apply)
        let sorted = spectrum.sorted()
        #expect(relativeError(r.value("lambda_max"), 200) < 1e-9)
        let top = try #require(r.series("top_k"))
        #expect(top.y.count == 5)
        for (found, exact) in zip(top.y, [200.0, 120, 80, 60, 45]) { #expect(relativeError(found, exact) < 1e-8) }
        // λ_min sits at the dense lower edge of the bulk: accurate to the residual rule's scale.
        #expect(abs(r.value("lambda_min") - sorted[0]) < 1e-3 * 200)
        #expect(r.value("abs_lambda_max") == r.value("lambda_max"))
        #expect(r.value("converged") == 1)
        #expect(r.value("unconverged") == 0 && r.value("max_relative_residual") <= 1e-6)
        print("hessian-eigen outliers: \(r.scalar("lambda_max")!.hvpCount) HVPs for top-5 + λmin (tol 1e-6), λmin \(r.value("lambda_min")) vs \(sorted[0])")
    }

    @Test func aBudgetTooSmallSaysWhichEigenvaluesMissedTheToleranceAndByHowMuch() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.spikedBulk(n: 1024), rotated: true)
        let r = try MetricHarness.run("hessian-eigen", ["k": .number(5), "max_steps": .number(8)], dimension: h.dimension, hessian: h.apply)
        #expect(r.value("converged") == 0)
        let residuals = try #require(r.series("residuals")).y, top = try #require(r.series("top_k")).y
        let relative = zip(residuals, top).map { $0 / abs($1) }
        #expect(r.value("unconverged") == Double(relative.filter { $0 > 1e-6 }.count))
        #expect(r.value("unconverged") >= 1)
        #expect(r.value("max_relative_residual") == relative.max())
        #expect(r.value("max_relative_residual") > 1e-6)
    }

    @Test func lanczosResolvesAGapOf097() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.gap(n: 2048), rotated: true, seed: 5)
        let r = try MetricHarness.run("hessian-eigen", ["k": .number(2)], dimension: h.dimension, hessian: h.apply)
        #expect(relativeError(r.value("lambda_max"), 100) < 1e-9)
        #expect(relativeError(try #require(r.series("top_k")).y[1], 97) < 1e-8)
        // PyHessian's rule stops at a relative change of 1e-3, well before the answer on a small gap.
        let p = try MetricHarness.run("hessian-eigen", ["method": .string("power"), "k": .number(1)], dimension: h.dimension, hessian: h.apply)
        print("gap 0.97: lanczos \(r.value("lambda_max")) in \(r.scalar("lambda_max")!.hvpCount) HVPs; power \(p.value("top_eigenvalue")) in \(p.scalar("top_eigenvalue")!.hvpCount) HVPs")
        #expect(relativeError(p.value("top_eigenvalue"), 100) > 1e-5)
    }

    @Test func dominantNegativeEigenvalueSeparatesLargestAlgebraicFromLargestMagnitude() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.dominantNegative(n: 2048), rotated: true)
        let r = try MetricHarness.run("hessian-eigen", ["k": .number(2)], dimension: h.dimension, hessian: h.apply)
        #expect(relativeError(r.value("lambda_max"), 30) < 1e-8)
        #expect(relativeError(r.value("lambda_min"), -50) < 1e-8)
        #expect(relativeError(r.value("abs_lambda_max"), 50) < 1e-8)
        // Power iteration converges to the largest magnitude: PyHessian's "top eigenvalue" is −50.
        let p = try MetricHarness.run("hessian-eigen", ["method": .string("power"), "k": .number(1)], dimension: h.dimension, hessian: h.apply)
        #expect(relativeError(p.value("top_eigenvalue"), -50) < 1e-2)
    }

    @Test func powerIterationDeflatesForTopK() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 2048), rotated: true)
        let p = try MetricHarness.run("hessian-eigen", ["method": .string("power"), "k": .number(3)], dimension: h.dimension, hessian: h.apply)
        let top = try #require(p.series("top_k")).y
        for (found, exact) in zip(top, [200.0, 120, 80]) { #expect(relativeError(found, exact) < 1e-2) }
    }

    @Test func lanczosIsDeterministicForASeed() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.spikedBulk(n: 1024), rotated: true)
        let a = try MetricHarness.run("hessian-eigen", dimension: h.dimension, seed: 3, hessian: h.apply)
        let b = try MetricHarness.run("hessian-eigen", dimension: h.dimension, seed: 3, hessian: h.apply)
        #expect(a.value("lambda_max") == b.value("lambda_max"))
        #expect(relativeError(a.value("lambda_max"), 5) < 1e-8)
    }

    /// HVPs until the λ_max estimate stays within 1e-4 of the truth, Lanczos vs power
    /// iteration (PyHessian's update run without its stopping rule), over 20 seeds.
    @Test func lanczosNeedsAtMostSixTenthsOfPowerIterationsHVPs() throws {
        for (label, spectrum, truth) in [("outliers", Spectra.outliers(n: 3000), 200.0), ("gap 0.97", Spectra.gap(n: 3000), 100.0)] {
            let h = SyntheticHessian(eigenvalues: spectrum, rotated: false)
            var lanczos = 0, power = 0
            for seed in 0..<20 as Range<UInt64> {
                let l = try MetricHarness.run("hessian-eigen", ["k": .number(1), "tol": .number(1e-12), "max_steps": .number(40)],
                                              dimension: h.dimension, seed: seed, hessian: h.apply)
                let p = try MetricHarness.run("hessian-eigen", ["method": .string("power"), "k": .number(1), "tol": .number(0), "max_iter": .number(400)],
                                              dimension: h.dimension, seed: seed, hessian: h.apply)
                lanczos += try Self.productsToReach(1e-4, try #require(l.series("convergence")), truth)
                power += try Self.productsToReach(1e-4, try #require(p.series("convergence")), truth)
            }
            let ratio = Double(lanczos) / Double(power)
            print("λmax to 1e-4 relative, \(label), 20 seeds: Lanczos \(lanczos) HVPs, power iteration \(power) HVPs, ratio \(ratio)")
            #expect(ratio <= 0.6)
        }
    }

    /// The first HVP count after which every estimate stays within `tolerance` of `truth`.
    static func productsToReach(_ tolerance: Double, _ history: MetricResults.Series, _ truth: Double) throws -> Int {
        var first: Int?
        for (x, y) in zip(history.x, history.y) {
            if relativeError(y, truth) <= tolerance { first = first ?? Int(x) } else { first = nil }
        }
        return try #require(first, "never reached \(tolerance)")
    }
}
