import Foundation
import PluginHost
import Scoring
import Testing

@testable import Daemon

/// A metric's host keys change the evaluation data in its job key, so results on other data
/// never share a key; a request without them keys exactly as before.
struct PlannedMetricTests {
    static let registry = PluginRegistry(searchPath: .standard(store: nil, environment: [:]))

    func parameters(_ text: String, _ evaluation: EvaluationOptions = EvaluationOptions.commandLineDefaults) throws -> JobParameters {
        let planned = try PlannedMetric(request: MetricRequest(parsing: text), evaluation: evaluation, registry: Self.registry)
        #expect(planned.request == text)
        return try JobParameters(json: planned.key.paramsJSON ?? "")
    }

    @Test func hostKeysGoIntoTheJobsEvaluationOptions() throws {
        let plain = try parameters("hessian-spectrum:mode=per-batch")
        #expect(plain.evaluation == EvaluationOptions.commandLineDefaults)
        let all = try parameters("hessian-spectrum:mode=per-batch,samples=all,batch=32")
        var expected = EvaluationOptions.commandLineDefaults
        expected.sampleCount = nil
        expected.batchSize = 32
        #expect(all.evaluation == expected)
        let a = try PlannedMetric(request: MetricRequest(parsing: "hessian-spectrum:mode=per-batch"), evaluation: EvaluationOptions.commandLineDefaults, registry: Self.registry)
        let b = try PlannedMetric(request: MetricRequest(parsing: "hessian-spectrum:mode=per-batch,samples=all"), evaluation: EvaluationOptions.commandLineDefaults, registry: Self.registry)
        #expect(a.key.paramsHash != b.key.paramsHash)
    }

    /// The default plan has every built-in metric; in training mode it leaves out the ones that
    /// need per-sample gradients (the host gives them in evaluation mode only), and `sharp score`'s
    /// defaults do the same.
    @Test func trainingModeLeavesOutTheMetricsThatNeedEvaluationMode() throws {
        let evaluation = MetricPlan.requests(asked: [], registry: Self.registry).map(\.name)
        let training = MetricPlan.requests(asked: [], mode: .training, registry: Self.registry).map(\.name)
        #expect(evaluation.contains("fisher") && !training.contains("fisher"))
        #expect(Set(evaluation).subtracting(training) == ["fisher"])
        #expect(!MetricRequest.defaults(for: .training, registry: Self.registry).contains { $0.name == "fisher" })
        #expect(MetricRequest.defaults(for: .evaluation, registry: Self.registry) == MetricRequest.defaults)
        // Known by the flag the plugin exports, not by its name.
        #expect(Self.registry.plugins.filter(\.usesSampleGradients).map(\.name) == ["fisher"])
    }

    /// A planned sharpness metric depends on the files of the optimizers it measures too, so a
    /// replaced optimizer file retries its failed jobs.
    @Test func sharpnessDependsOnTheMeasuredOptimizersFiles() throws {
        let planned = try PlannedMetric(request: MetricRequest(parsing: "sharpness"), evaluation: EvaluationOptions.commandLineDefaults,
                                        registry: Self.registry)
        #expect(planned.pluginFiles.map(\.plugin) == ["sharpness", "asam", "crsam", "gsam", "sam", "wsam"])
        #expect(planned.pluginFiles.allSatisfy { $0.sha256.count == 64 })
        let decoded = try MetricPlan.decode(MetricPlan.encode([planned]))
        #expect(decoded == [planned])
    }
}
