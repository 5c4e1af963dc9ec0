import Daemon
import Foundation
import Index
import IndexRecords
import IndexPresentation
import IndexQueries
import Statistics
import PluginHost
import Scoring
import Testing

@testable import Study

/// `sharp study` scoring in-process and `sharpd` must key results identically, or a checkpoint
/// is scored twice and the study never finds the daemon's results.
struct JobKeyAgreementTests {
    static let registry = PluginRegistry()

    /// The daemon's settings as `sharpd` builds them from the arguments the study gives it.
    static func daemonSettings(_ plan: StudyPlan) -> EvaluationOptions {
        var settings = EvaluationOptions.commandLineDefaults
        let arguments = StudyScoring(plan: plan, store: "/unused").daemonArguments
        let samples = arguments[arguments.firstIndex(of: "--samples")! + 1]
        settings.sampleCount = samples == "all" ? nil : Int(samples)
        return settings
    }

    static let requests = [
        "accuracy", "hessian-eigen", "hessian-eigen:k=3,tol=0.001", "hessian-trace", "hessian-trace:probes=20",
        "hessian-spectrum", "hessian-spectrum:runs=4,steps=40", "hessian-spectrum:mode=per-batch",
        "hessian-spectrum:mode=per-batch,samples=all", "hessian-spectrum:mode=per-batch,samples=64,split=test,batch=8",
        "sharpness",
    ]

    @Test(arguments: [StudyPlan.Preset.quick, .paper])
    func studyAndDaemonKeyEveryRequestAlike(_ preset: StudyPlan.Preset) throws {
        let plan = StudyPlan.preset(preset)
        let scoring = StudyScoring(plan: plan, store: "/unused")
        let settings = Self.daemonSettings(plan)
        for text in Set(plan.metrics + Self.requests) {
            let request = try MetricRequest(parsing: text)
            let study = try ScoreRecorder.key(for: request, options: scoring.evaluationOptions, registry: Self.registry)
            let daemon = try PlannedMetric(request: request, evaluation: settings, registry: Self.registry).key
            #expect(study == daemon, "\(preset) \(text):\n study  \(study.paramsJSON)\n daemon \(daemon.paramsJSON)")
        }
    }

    /// The key is pinned: a change to it rescores every store, so it must be deliberate.
    @Test func theKeyTextIsPinned() throws {
        var options = EvaluationOptions()
        options.sampleCount = 128
        let key = try MetricJobKey(request: MetricRequest(parsing: "hessian-trace:probes=20"), evaluation: options, registry: Self.registry)
        #expect(key.parametersJSON.hasPrefix(
            "{\"evaluation\":{\"batch_size\":null,\"mode\":\"evaluation\",\"precision\":\"float32\",\"samples\":128,\"seed\":0,\"split\":\"train\",\"subset_seed\":0},"
                + "\"hyperparameters\":{"), "\(key.parametersJSON)")
        #expect(key.parametersJSON.hasSuffix(",\"request\":\"hessian-trace:probes=20\"}"))
        #expect(key.parametersHash == MetricJobKey.hash(key.parametersJSON) && key.parametersHash.count == 16)
    }

    /// Every key of both presets and of `requests`, byte for byte as the builds before the one
    /// JSON writer (Sources/JSON/JSONWriter.swift) made them: Fixtures/job-keys.tsv holds preset,
    /// request, hash and parameter JSON, one key per line. The two `sharpness` keys changed once on
    /// purpose, when they began to name the optimizers they measure (docs/metrics.md §sharpness), and
    /// the default `hessian-spectrum` keys once, when its `steps` default went from 90 to 40
    /// (docs/metrics.md#the-slq-budget): the plain request computes something else now, and the
    /// `mode=per-batch` ones carry the resolved `steps` too, so those are scored once more.
    @Test func everyKeyIsTheOneOlderBuildsStored() throws {
        let url = try #require(Bundle.module.url(forResource: "job-keys", withExtension: "tsv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 32)
        for line in lines {
            let field = line.split(separator: "\t").map(String.init)
            let preset = try #require(StudyPlan.Preset(rawValue: field[0]))
            let options = StudyScoring(plan: StudyPlan.preset(preset), store: "/unused").evaluationOptions
            let key = try ScoreRecorder.key(for: MetricRequest(parsing: field[1]), options: options, registry: Self.registry)
            #expect(key.paramsJSON == field[3], "\(preset) \(field[1])")
            #expect(key.paramsHash == field[2], "\(preset) \(field[1])")
        }
    }
}
