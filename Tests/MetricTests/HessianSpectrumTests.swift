import PluginKit
import PluginHost
import Testing

/// SLQ and V5 (docs/algorithms.md#validation) through the `hessian-spectrum` plugin: the SLQ identities, the
/// exact spectrum at m = n, and D1 statistics of a spiked bulk.
@Suite struct HessianSpectrumTests {
    @Test func slqIdentitiesHoldTo1e12() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 2048), rotated: true)
        var applied: [[Double]] = []
        let r = try MetricHarness.run("hessian-spectrum", ["runs": .number(1), "steps": .number(40)], dimension: h.dimension,
                                      record: { applied.append($0) }, hessian: h.apply)
        let nodes = try #require(r.series("nodes"))
        let v = applied[0], hv = h.apply(v)
        let n = Double(h.dimension)
        #expect(v.allSatisfy { abs(abs($0) - 1 / n.squareRoot()) < 1e-15 })  // a normalised Rademacher start
        let sumW = nodes.y.reduce(0, +)
        let first = zip(nodes.x, nodes.y).reduce(0) { $0 + $1.0 * $1.1 }
        let second = zip(nodes.x, nodes.y).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }
        let vhv = VectorMath.dot(v, hv), hv2 = VectorMath.dot(hv, hv)
        print("SLQ identities: |Σw − 1| = \(abs(sumW - 1)), |Σwθ − vᵀHv|/|vᵀHv| = \(relativeError(first, vhv)), |Σwθ² − ‖Hv‖²|/‖Hv‖² = \(relativeError(second, hv2))")
        #expect(abs(sumW - 1) < 1e-12)
        #expect(relativeError(first, vhv) < 1e-12)
        #expect(relativeError(second, hv2) < 1e-12)
        #expect(abs(r.value("mean") - first) < 1e-12 * abs(first))
    }

    @Test func fullLengthRunsRecoverTheExactSpectrum() throws {
        var random = ProbeRandom(seed: 5)
        let spectrum = (0..<64).map { _ in random.gaussian() * 3 }
        let h = SyntheticHessian(eigenvalues: spectrum, rotated: true)
        let r = try MetricHarness.run("hessian-spectrum", ["runs": .number(1), "steps": .number(64)], dimension: 64, hessian: h.apply)
        let nodes = try #require(r.series("nodes")).x
        for (a, b) in zip(nodes, spectrum.sorted()) { #expect(abs(a - b) < 1e-9) }
    }

    @Test func densityIntegratesToOne() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.spikedBulk(n: 1024), rotated: true)
        let r = try MetricHarness.run("hessian-spectrum", ["runs": .number(3), "steps": .number(30)], dimension: h.dimension, hessian: h.apply)
        let d = try #require(r.series("density"))
        let integral = zip(zip(d.x.dropFirst(), d.x), zip(d.y.dropFirst(), d.y)).reduce(0) { $0 + ($1.0.0 - $1.0.1) * ($1.1.0 + $1.1.1) / 2 }
        #expect(abs(integral - 1) < 1e-12)
    }

    @Test func weightedStatisticsMatchASpikedBulk() throws {
        let spectrum = Spectra.spikedBulk(n: 2048)
        let h = SyntheticHessian(eigenvalues: spectrum, rotated: true)
        let r = try MetricHarness.run("hessian-spectrum", dimension: h.dimension, hessian: h.apply)
        let exact = WeightedDistribution(samples: spectrum)
        // Tolerances are a few run-to-run standard errors: 10 runs of 40 nodes resolve the bulk's
        // quantiles to about the node spacing there (~0.03–0.05 over a bulk of width 2.8).
        #expect(r.scalar("median")?.hvpCount == 400)
        for (name, truth, tolerance) in [("mean", exact.mean, 0.03), ("median", exact.median, 0.05), ("sd", exact.standardDeviation, 0.03),
                                         ("q05", exact.quantile(0.05), 0.05), ("q25", exact.quantile(0.25), 0.05),
                                         ("q75", exact.quantile(0.75), 0.08), ("q95", exact.quantile(0.95), 0.1)] {
            print("spiked bulk \(name): SLQ \(r.value(name)) ± \(r.scalar(name)?.standardError ?? .nan), exact \(truth)")
            #expect(abs(r.value(name) - truth) < tolerance, "\(name)")
        }
    }

    @Test func perBatchModeReportsOnePowerIterationEigenvalue() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.dominantNegative(n: 1024), rotated: true)
        let r = try MetricHarness.run("hessian-spectrum", ["mode": .string("per-batch")], dimension: h.dimension, hessian: h.apply)
        #expect(r.scalars.count == 1)
        #expect(relativeError(r.value("top_eigenvalue"), -50) < 1e-2)
    }

    /// `settle` (StochasticLanczosQuadrature.run) ends runs early without touching what the
    /// steps do not change: the mean and SD are exact after two steps (SLQ identities), so they
    /// equal the fixed-length result.
    @Test func settlingRunsStopEarlyAndKeepTheMoments() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.spikedBulk(n: 2048), rotated: true)
        let op = HessianOperator(dimension: h.dimension, apply: h.apply)
        let fixed = try StochasticLanczosQuadrature.runs(op, runs: 3, steps: 90, seed: 0)
        let settled = try StochasticLanczosQuadrature.runs(op, runs: 3, steps: 90, seed: 0, settle: 0.05)
        let products = settled.map(\.products)
        #expect(fixed.map(\.products) == [90, 90, 90])
        #expect(products.allSatisfy { $0 >= 20 && $0 < 90 && $0 % 10 == 0 }, "\(products)")
        let (a, b) = (StochasticLanczosQuadrature.pooled(fixed), StochasticLanczosQuadrature.pooled(settled))
        #expect(relativeError(a.mean, b.mean) < 1e-12 && relativeError(a.standardDeviation, b.standardDeviation) < 1e-12)
        #expect(abs(a.median - b.median) < 0.05)
    }

    /// A run's prefix is the shorter run from the same start, to rounding: the SLQ budget
    /// measurement (Sources/sharp-bench/SLQBudget.swift) reads every smaller budget off one pool.
    @Test func aRunsPrefixIsTheShorterRun() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.spikedBulk(n: 512), rotated: true)
        let op = HessianOperator(dimension: h.dimension, apply: h.apply)
        let long = try StochasticLanczosQuadrature.run(op, stream: 3, steps: 60, seed: 9)
        let short = try StochasticLanczosQuadrature.run(op, stream: 3, steps: 25, seed: 9)
        let cut = try long.prefix(25)
        #expect(cut.products == 25 && cut.nodes.count == short.nodes.count)
        for (a, b) in zip(cut.nodes, short.nodes) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
        for (a, b) in zip(cut.weights, short.weights) { #expect(abs(a - b) <= 1e-12) }
        #expect(cut.alpha1 == long.alpha1 && cut.beta1 == long.beta1)
    }

    /// W1 against closed forms: point masses, a shift, a split mass, and symmetry.
    @Test func wassersteinDistanceMatchesClosedForms() {
        let zero = WeightedDistribution(samples: [0]), one = WeightedDistribution(samples: [1])
        #expect(zero.wasserstein1(to: one) == 1)
        let spread = WeightedDistribution(values: [-1, 0.5, 2], weights: [0.2, 0.5, 0.3])
        let shifted = WeightedDistribution(values: spread.values.map { $0 + 0.75 }, weights: spread.weights)
        #expect(abs(spread.wasserstein1(to: shifted) - 0.75) < 1e-12)
        // Half the mass moves from 0 to 1: 0.5. Against itself: 0.
        #expect(WeightedDistribution(samples: [0, 1]).wasserstein1(to: zero) == 0.5)
        #expect(spread.wasserstein1(to: spread) == 0)
        let other = WeightedDistribution(values: [-3, 0, 1, 4], weights: [0.1, 0.4, 0.4, 0.1])
        // E|X − Y| under the monotone coupling, by hand: the CDFs differ by 0.1 on [−3, −1), 0.1 on
        // [−1, 0), 0.3 on [0, 0.5), 0.2 on [0.5, 1), 0.2 on [1, 2), 0.1 on [2, 4).
        let byHand = 0.1 * 2 + 0.1 * 1 + 0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 1 + 0.1 * 2
        #expect(abs(spread.wasserstein1(to: other) - byHand) < 1e-12)
        #expect(abs(spread.wasserstein1(to: other) - other.wasserstein1(to: spread)) < 1e-12)
        // Away from zero only: of the unit move from 0 to 1, the half beyond |x| ≥ 0.5; of the
        // hand-computed one, what lies outside (−0.75, 0.75): 0.2 + 0.1·0.25 + 0.2·0.25 + 0.2 + 0.2.
        #expect(abs(zero.wasserstein1(to: one, outside: 0.5) - 0.5) < 1e-15)
        #expect(abs(spread.wasserstein1(to: other, outside: 0.75) - (0.2 + 0.025 + 0.05 + 0.2 + 0.2)) < 1e-12)
    }
}
