import Foundation
import PluginHost
import Scoring
import TestSupport
import Testing

/// The built metric plugins run by the host on a real (tiny) network, against its explicit
/// Hessian (docs/algorithms.md#validation, V2), plus per-batch mode and each optimizer's own sharpness.
@Suite struct ScorerTests {
    static let registry = PluginRegistry(searchPath: .standard(store: nil, environment: [:]))

    static func scorer(batchSize: Int = 8) throws -> Scorer {
        var options = EvaluationOptions()
        options.batchSize = batchSize
        options.precision = .float64
        return try Scorer(subject: TinyNetwork.subject(), options: options, registry: registry)
    }

    static func value(_ o: MetricOutcome, _ name: String) -> Double { o.scalars.first { $0.name == name }?.value ?? .nan }

    @Test func hessianMetricsAgreeWithTheExplicitHessian() throws {
        let s = try Self.scorer()
        let n = s.context.weights.count
        let exact = try #require(Dense.eigenvalues(try s.context.explicitHessian(), n: n))
        let trace = exact.reduce(0, +)
        let eigen = try s.run(MetricRequest(parsing: "hessian-eigen:k=3,tol=1e-10"))
        print("tiny net: λmax \(Self.value(eigen, "lambda_max")) vs dsyev \(exact[n - 1]); λmin \(Self.value(eigen, "lambda_min")) vs \(exact[0]); \(eigen.counters.hessianVectorProducts) HVPs")
        #expect(abs(Self.value(eigen, "lambda_max") - exact[n - 1]) <= 1e-9 * abs(exact[n - 1]))
        #expect(abs(Self.value(eigen, "lambda_min") - exact[0]) <= 1e-8 * abs(exact[n - 1]))
        let top = try #require(eigen.series.first { $0.name == "top_k" }).y
        for (found, truth) in zip(top, exact.reversed()) { #expect(abs(found - truth) <= 1e-8 * abs(exact[n - 1])) }
        // m = n Lanczos steps with full reorthogonalisation: SLQ's nodes are eigenvalues (each
        // distinct one once: a repeated eigenvalue ends the Krylov space early), both ends included.
        let spectrum = try s.run(MetricRequest(parsing: "hessian-spectrum:runs=1,steps=\(n)"))
        let nodes = try #require(spectrum.series.first { $0.name == "nodes" }).x
        let tolerance = 1e-8 * abs(exact[n - 1])
        #expect(nodes.allSatisfy { node in exact.contains { abs($0 - node) <= tolerance } })
        #expect(abs(nodes[0] - exact[0]) <= tolerance && abs(nodes[nodes.count - 1] - exact[n - 1]) <= tolerance)
        print("tiny net SLQ at m = n: \(nodes.count) distinct nodes for \(n) eigenvalues")
        // Hutch++ with a sketch as wide as n takes the trace exactly.
        let plus = try s.run(MetricRequest(parsing: "hessian-trace:method=hutch++,probes=\(3 * n)"))
        #expect(abs(Self.value(plus, "trace") - trace) <= 1e-9 * exact.map(abs).reduce(0, +))
        let hutchinson = try s.run(MetricRequest(parsing: "hessian-trace:probes=400"))
        let estimate = try #require(hutchinson.scalars.first { $0.name == "trace" })
        #expect(abs(estimate.value - trace) < 4 * (estimate.standardError ?? 0))
        #expect(hutchinson.counters.hessianVectorProducts == 400)
    }

    @Test func perBatchModeSummarisesEachBatchsTopEigenvalue() throws {
        let s = try Self.scorer(batchSize: 10)
        let outcome = try s.run(MetricRequest(parsing: "hessian-spectrum:mode=per-batch"))
        let perBatch = try #require(outcome.series.first { $0.name == "per_batch" }).y
        #expect(perBatch.count == 3)
        let n = s.context.weights.count
        for (id, value) in zip(s.context.evaluationBatches, perBatch) {
            // The explicit Hessian of that batch alone; power iteration finds its largest magnitude.
            var h = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                var e = [Double](repeating: 0, count: n), column = [Double](repeating: 0, count: n)
                e[i] = 1
                try e.withUnsafeBufferPointer { ep in try column.withUnsafeMutableBufferPointer { try s.context.hessianVectorProduct([id], at: nil, vector: ep, into: $0) } }
                for j in 0..<n { h[j * n + i] = column[j] }
            }
            for i in 0..<n { for j in 0..<i { let m = (h[i * n + j] + h[j * n + i]) / 2; h[i * n + j] = m; h[j * n + i] = m } }
            let eigenvalues = try #require(Dense.eigenvalues(h, n: n))
            let dominant = eigenvalues.max { abs($0) < abs($1) }!
            #expect(abs(value - dominant) <= 1e-2 * abs(dominant))
        }
        let sorted = perBatch.sorted()
        #expect(Self.value(outcome, "per_batch_median") == sorted[1])
        #expect(abs(Self.value(outcome, "per_batch_mean") - perBatch.reduce(0, +) / 3) < 1e-12)
        #expect(Self.value(outcome, "per_batch_max") == sorted[2])
    }

    @Test func optimizerSharpnessIsTheLossRiseAtEachOptimizersPerturbation() throws {
        let s = try Self.scorer(batchSize: 10)
        let outcome = try s.run(MetricRequest(parsing: "sharpness:steps=1"))
        let names = Set(outcome.scalars.map(\.name))
        for expected in ["sharpness", "adaptive_sharpness", "sharpness.sam", "sharpness.asam"] { #expect(names.contains(expected), "\(expected)") }
        #expect(!names.contains("sharpness.adam") && !names.contains("sharpness.sgd"))
        // SAM's e = ρ·g_b/‖g_b‖ (ρ = 0.05) on each batch b, averaged with weights N_b/N.
        let c = s.context
        var manual = 0.0
        for id in c.evaluationBatches {
            var g = [Double](repeating: 0, count: c.weights.count)
            _ = try c.weights.withUnsafeBufferPointer { w in try g.withUnsafeMutableBufferPointer { try c.gradient([id], at: w, into: $0) } }
            let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
            let moved = zip(c.weights, g).map { $0 + 0.05 * $1 / (norm + 1e-12) }
            let rise = try moved.withUnsafeBufferPointer { try c.loss([id], at: $0).loss } - (try c.loss([id], at: nil).loss)
            manual += Double(c.sampleCount([id])) / Double(c.evaluationSampleCount) * rise
        }
        #expect(abs(Self.value(outcome, "sharpness.sam") - manual) <= 1e-10 * abs(manual))
        #expect(Self.value(outcome, "sharpness") > 0)
    }

    /// A wrapper without a perturbation (Lookahead-like, no `perturb` entry) is skipped and named in
    /// the notes, instead of failing the metric; one with a perturbation (e = 0) is measured, and
    /// the sharpness job's key names exactly the measured optimizers.
    @Test func sharpnessSkipsOptimizersWithoutAPerturbationAndKeysOnTheOnesItMeasures() throws {
        let directory = try CFixture.temporaryDirectory("sharpness")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = try CFixture.build("lookahead", in: directory, defines: ["FIXTURE_WRAPPER", #"FIXTURE_NAME="c-lookahead""#])
        let zero = try CFixture.build("zero", in: directory, defines: ["FIXTURE_WRAPPER", "FIXTURE_PERTURB", #"FIXTURE_NAME="c-zero""#])
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": "\(plain):\(zero)"]))
        #expect(registry.problems.isEmpty, "\(registry.problems)")
        var options = EvaluationOptions()
        options.batchSize = 10
        options.precision = .float64
        let scorer = try Scorer(subject: TinyNetwork.subject(), options: options, registry: registry)
        let outcome = try scorer.run(MetricRequest(parsing: "sharpness:steps=1"))
        let names = Set(outcome.scalars.map(\.name))
        #expect(names.contains("sharpness.sam") && names.contains("sharpness.c-zero") && !names.contains("sharpness.c-lookahead"))
        #expect(Self.value(outcome, "sharpness.c-zero") == 0)
        #expect(outcome.notes == ["c-lookahead 0.0.1 has no perturbation (it exports no perturb entry): no sharpness.c-lookahead"])

        let key = try MetricJobKey(request: MetricRequest(parsing: "sharpness"), evaluation: options, registry: registry)
        #expect(key.parametersJSON.contains(#""optimizers":["asam@1.0.0","c-zero@0.0.1","crsam@1.0.0","gsam@1.0.0","sam@1.0.0","wsam@1.0.0"]"#),
                "\(key.parametersJSON)")
        let without = try MetricJobKey(request: MetricRequest(parsing: "sharpness"), evaluation: options, registry: Self.registry)
        #expect(without.parametersHash != key.parametersHash)
        let off = try MetricJobKey(request: MetricRequest(parsing: "sharpness"), evaluation: options, registry: registry, optimizerSharpness: false)
        #expect(!off.parametersJSON.contains("optimizers"))
        let trace = try MetricJobKey(request: MetricRequest(parsing: "hessian-trace"), evaluation: options, registry: registry)
        #expect(!trace.parametersJSON.contains("optimizers"))
    }

    @Test func accuracyReportsBothSplitsAndTheGap() throws {
        let s = try Self.scorer()
        let outcome = try s.run(MetricRequest(parsing: "accuracy"))
        let train = try s.context.loss(s.context.trainBatches, at: nil), test = try s.context.loss(s.context.testBatches, at: nil)
        #expect(Self.value(outcome, "train_acc") == train.accuracy)
        #expect(Self.value(outcome, "test_acc") == test.accuracy)
        #expect(abs(Self.value(outcome, "gap") - (test.loss - train.loss)) < 1e-15)
    }

    @Test func unknownMetricsAndHyperparametersAreClearErrors() throws {
        let s = try Self.scorer()
        #expect(throws: ScoringError.self) { try s.run(MetricRequest(parsing: "no-such-metric")) }
        do {
            _ = try s.run(MetricRequest(parsing: "hessian-eigen:method=arnoldi"))
            Issue.record("expected an error")
        } catch let error as ScoringError {
            #expect(error.description.contains("method"))
        }
    }
}
