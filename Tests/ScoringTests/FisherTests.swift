import Autodiff
import Foundation
import NN
import PluginHost
import Tensor
import Testing

@testable import Scoring

/// The `fisher` plugin against explicitly formed matrices on the 116-parameter tiny network:
/// F = (1/N)·Σ gᵢgᵢᵀ and G = (1/N)·Σ Jᵢᵀ(diag(p) − ppᵀ)Jᵢ, with each sample's loss gradient gᵢ and
/// logit Jacobian Jᵢ by central differences in Float64 (independent of the host's autodiff).
struct FisherTests {
    @Test func itsTracesAreThoseOfTheExplicitFisherAndGaussNewtonMatrices() throws {
        let scorer = try ScorerTests.scorer(batchSize: 8)
        let c = scorer.context
        let outcome = try scorer.run(MetricRequest(parsing: "fisher:chunk=7"))  // 7 does not divide the 30 samples
        let value = { (name: String) in ScorerTests.value(outcome, name) }

        let n = c.weights.count, h = 1e-5
        var fisher = [Double](repeating: 0, count: n * n), gaussNewton = [Double](repeating: 0, count: n * n)
        var mean = [Double](repeating: 0, count: n)
        let samples = c.evaluationBatches.flatMap { id in (0..<c.batches[id].count).map { (id, $0) } }
        for (id, row) in samples {
            let image = Var(c.batches[id].images.sliced(axis: 0, start: row, count: 1))
            let label = c.batches[id].labels[row]
            func logits(_ w: [Double]) -> [Double] {
                let z = w.withUnsafeBufferPointer { c.subject.model.logits(image, parameters: c.tensors($0).map(Var.init), mode: .evaluation).logits }
                return (0..<2).map { z.value[0, $0] }
            }
            func loss(_ z: [Double]) -> Double { log(z.map(exp).reduce(0, +)) - z[label] }
            let z = logits(c.weights)
            let p = z.map { exp($0 - log(z.map(exp).reduce(0, +))) }
            var g = [Double](repeating: 0, count: n), jacobian = [[Double]](repeating: [Double](repeating: 0, count: n), count: 2)
            for j in 0..<n {
                var plus = c.weights, minus = c.weights
                plus[j] += h
                minus[j] -= h
                let (zp, zm) = (logits(plus), logits(minus))
                g[j] = (loss(zp) - loss(zm)) / (2 * h)
                for k in 0..<2 { jacobian[k][j] = (zp[k] - zm[k]) / (2 * h) }
            }
            let weight = 1 / Double(samples.count)
            for a in 0..<n {
                mean[a] += weight * g[a]
                for b in 0..<n {
                    fisher[a * n + b] += weight * g[a] * g[b]
                    var curvature = 0.0  // (Jᵀ(diag p − ppᵀ)J)_ab
                    for k in 0..<2 { for l in 0..<2 { curvature += jacobian[k][a] * ((k == l ? p[k] : 0) - p[k] * p[l]) * jacobian[l][b] } }
                    gaussNewton[a * n + b] += weight * curvature
                }
            }
        }
        let traceF = (0..<n).reduce(0) { $0 + fisher[$1 * n + $1] }, traceG = (0..<n).reduce(0) { $0 + gaussNewton[$1 * n + $1] }
        let variance = traceF - mean.reduce(0) { $0 + $1 * $1 }
        #expect(abs(value("fisher_trace") - traceF) <= 1e-7 * traceF, "\(value("fisher_trace")) vs \(traceF)")
        #expect(abs(value("ggn_trace") - traceG) <= 1e-7 * traceG, "\(value("ggn_trace")) vs \(traceG)")
        #expect(abs(value("gradient_variance") - variance) <= 1e-7 * traceF, "\(value("gradient_variance")) vs \(variance)")
        #expect(traceG > 0 && traceF > variance)
        #expect(outcome.counters.sampleGradients == samples.count * 3)  // own labels, then each of the 2 classes
    }

    @Test func withoutTheGaussNewtonOnlyTheOwnLabelsAreDifferentiated() throws {
        let scorer = try ScorerTests.scorer(batchSize: 8)
        let outcome = try scorer.run(MetricRequest(parsing: "fisher:ggn=false"))
        #expect(outcome.scalars.map(\.name).sorted() == ["fisher_trace", "gradient_variance"])
        #expect(outcome.counters.sampleGradients == scorer.context.evaluationSampleCount)
    }

    @Test func perSampleGradientsAreRefusedInTrainingMode() throws {
        var options = EvaluationOptions()
        options.precision = .float64
        options.mode = .training
        let scorer = try Scorer(subject: TinyNetwork.subject(), options: options, registry: ScorerTests.registry)
        let error = #expect(throws: ScoringError.self) { try scorer.run(MetricRequest(parsing: "fisher")) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("evaluation mode"))
    }
}
