import Foundation
import PluginHost
import Scoring
import Testing

/// Host keys in a metric request (`samples=`, `split=`, `batch=`) give that metric its own
/// evaluation data; the plugin never sees them and the other metrics keep the run's data.
@Suite struct EvaluationOverrideTests {
    @Test func hostKeysAreReadByTheHostAndTheRequestTextIsKept() throws {
        let text = "hessian-spectrum:mode=per-batch,samples=all,split=test,batch=5"
        let request = try MetricRequest(parsing: text)
        #expect(request.values.map(\.key) == ["mode"])
        #expect(request.overrides.sampleCount == .some(nil) && request.overrides.split == .test && request.overrides.batchSize == 5)
        #expect(request.description == text)
        let plain = try MetricRequest(parsing: "hessian-trace:probes=7")
        #expect(plain.overrides.isEmpty && plain.description == "hessian-trace:probes=7")
        #expect(try MetricRequest(parsing: "hessian-trace:samples=64").overrides.sampleCount == .some(64))
        for bad in ["hessian-trace:samples=0", "hessian-trace:samples=some", "hessian-trace:split=validation", "hessian-trace:batch=-2"] {
            #expect(throws: ScoringError.self, "\(bad)") { try MetricRequest(parsing: bad) }
        }
    }

    @Test func aRequestWithOverridesRunsAsAScorerMadeWithThoseSettingsWould() throws {
        let registry = ScorerTests.registry
        var base = EvaluationOptions()
        base.batchSize = 10
        base.precision = .float64
        let scorer = try Scorer(subject: TinyNetwork.subject(), options: base, registry: registry)
        let overridden = try scorer.run(MetricRequest(parsing: "hessian-spectrum:mode=per-batch,batch=5,samples=20"))

        var direct = base
        direct.batchSize = 5
        direct.sampleCount = 20
        let reference = try Scorer(subject: TinyNetwork.subject(), options: direct, registry: registry)
            .run(MetricRequest(parsing: "hessian-spectrum:mode=per-batch"))
        let values = try #require(overridden.series.first { $0.name == "per_batch" }).y
        #expect(values.count == 4)
        #expect(values == (try #require(reference.series.first { $0.name == "per_batch" }).y))
        #expect(overridden.counters.hessianVectorProducts == reference.counters.hessianVectorProducts)

        // The run's own context is untouched: a plain request still sees its 3 batches of 10.
        let plain = try scorer.run(MetricRequest(parsing: "hessian-spectrum:mode=per-batch"))
        #expect(try #require(plain.series.first { $0.name == "per_batch" }).y.count == scorer.context.evaluationBatches.count)
        #expect(scorer.context.batchSize == 10 && scorer.context.evaluationSampleCount > 20)
        // Requests with the same overrides share one context (and its cache).
        let again = try scorer.context(for: MetricRequest(parsing: "hessian-trace:samples=20,batch=5"))
        #expect(again === (try scorer.context(for: MetricRequest(parsing: "hessian-eigen:batch=5,samples=20"))))
        #expect(again !== scorer.context)
    }
}
