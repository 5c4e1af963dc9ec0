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
}
