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
        // Tolerances are a few run-to-run standard errors: 10 runs of 90 nodes resolve the bulk's
        // quantiles to about the node spacing there (~0.03–0.05 over a bulk of width 2.8).
        #expect(r.scalar("median")?.hvpCount == 900)
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
}
