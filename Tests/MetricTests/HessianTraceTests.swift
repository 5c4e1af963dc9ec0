import PluginKit
import PluginHost
import Testing

/// docs/algorithms.md#validation V5 through the `hessian-trace` plugin: Hutchinson coverage, Hutch++, and the
/// PyHessian compatibility rules (docs/algorithms.md#pyhessians-trace-loop).
@Suite struct HessianTraceTests {
    /// E2-A: outliers plus N(0, 0.5²), rotated so that Rademacher probes are not exact.
    static let rotatedOutliers: SyntheticHessian = {
        var r = ProbeRandom(seed: 11)
        let spectrum = [60.0, 40, 30, 20, 10] + (0..<2043).map { _ in 0.5 * r.gaussian() }
        return SyntheticHessian(eigenvalues: spectrum, rotated: true)
    }()

    /// E2-B: a small trace next to a large per-probe SD (60, 40, 30, 20 negative Gamma(2, 2)
    /// values, N(0, 0.5²) bulk).
    static let smallTrace: SyntheticHessian = {
        var r = ProbeRandom(seed: 12)
        let negatives = (0..<20).map { _ in -(Spectra.exponential(&r, scale: 2) + Spectra.exponential(&r, scale: 2)) }
        let spectrum = [60.0, 40, 30] + negatives + (0..<(1024 - 23)).map { _ in 0.5 * r.gaussian() }
        return SyntheticHessian(eigenvalues: spectrum, rotated: true)
    }()

    @Test func hutchinsonStandardErrorCoversTheTraceOver200Seeds() throws {
        let h = Self.rotatedOutliers
        var within3 = 0, within2 = 0
        for seed in 0..<200 as Range<UInt64> {
            let r = try MetricHarness.run("hessian-trace", dimension: h.dimension, seed: seed, hessian: h.apply)
            let t = try #require(r.scalar("trace"))
            let error = try #require(t.standardError)
            #expect(t.hvpCount == 100)
            if abs(t.value - h.trace) < 3 * error { within3 += 1 }
            if abs(t.value - h.trace) < 2 * error { within2 += 1 }
        }
        print("Hutchinson, 100 probes, 200 seeds: |mean − tr| < 3·stderr in \(within3)/200, < 2·stderr in \(within2)/200")
        #expect(within3 >= 198)
        #expect((180...196).contains(within2))
    }

    @Test func rademacherProbesAreExactOnADiagonalHessian() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 500), rotated: false)
        let r = try MetricHarness.run("hessian-trace", ["probes": .number(5)], dimension: h.dimension, hessian: h.apply)
        #expect(relativeError(r.value("trace"), h.trace) < 1e-12)
        #expect(try #require(r.scalar("trace")?.standardError) < 1e-9)
    }

    @Test func squaredTraceComesFreeFromTheSameProbes() throws {
        let h = Self.rotatedOutliers
        let r = try MetricHarness.run("hessian-trace", ["probes": .number(200)], dimension: h.dimension, hessian: h.apply)
        let exact = h.eigenvalues.reduce(0) { $0 + $1 * $1 }
        let s = try #require(r.scalar("trace_of_square"))
        #expect(abs(s.value - exact) < 4 * (s.standardError ?? 0))
    }

    @Test func hutchPlusPlusBeatsHutchinsonOnAPositiveSpectrumWithOutliers() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 2048).map(abs), rotated: true)
        var plain = 0.0, plus = 0.0
        for seed in 0..<30 as Range<UInt64> {
            let a = try MetricHarness.run("hessian-trace", ["probes": .number(60)], dimension: h.dimension, seed: seed, hessian: h.apply)
            let b = try MetricHarness.run("hessian-trace", ["probes": .number(60), "method": .string("hutch++")], dimension: h.dimension,
                                          seed: seed, hessian: h.apply)
            #expect(b.scalar("trace")?.hvpCount == 60)
            plain += (a.value("trace") - h.trace) * (a.value("trace") - h.trace)
            plus += (b.value("trace") - h.trace) * (b.value("trace") - h.trace)
        }
        print("RMSE at 60 products, 30 seeds: Hutchinson \((plain / 30).squareRoot()), Hutch++ \((plus / 30).squareRoot()) (trace \(h.trace))")
        #expect(plus < plain)
    }

    @Test func pyHessian01RuleIsReproducedAndBiasedWhereItsDenominatorIsSigned() throws {
        let h = Self.smallTrace
        var negative01 = 0, negativeFixed = 0, early = 0
        for seed in 0..<100 as Range<UInt64> {
            let r = try MetricHarness.run("hessian-trace", ["compat": .string("pyhessian-0.1")], dimension: h.dimension, seed: seed, hessian: h.apply)
            let samples = try #require(r.series("probes")).y
            // The same rule, replayed on the recorded probe values: signed denominator, m_prev from 0.
            var previous = 0.0, stop = samples.count
            for i in samples.indices {
                let mean = samples[...i].reduce(0, +) / Double(i + 1)
                if abs(mean - previous) / (previous + 1e-6) < 1e-3 { stop = i + 1; break }
                previous = mean
            }
            #expect(stop == samples.count)
            if samples.count <= 2 { early += 1 }
            if r.value("trace") < 0 { negative01 += 1 }
            let f = try MetricHarness.run("hessian-trace", dimension: h.dimension, seed: seed, hessian: h.apply)
            if f.value("trace") < 0 { negativeFixed += 1 }
        }
        print("trace \(h.trace): pip-0.1 rule negative in \(negative01)/100 (stopped by probe 2 in \(early)), fixed budget negative in \(negativeFixed)/100")
        #expect(negative01 > negativeFixed)
    }
}
