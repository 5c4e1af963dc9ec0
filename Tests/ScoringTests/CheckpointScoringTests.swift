import Checkpoint
import Datasets
import Foundation
import JSON
import NN
import PluginHost
import Scoring
import Tensor
import Testing

/// Scoring from a checkpoint file: the model and dataset rebuilt from the manifest, and a clear
/// error when the recorded data cannot be rebuilt.
@Suite struct CheckpointScoringTests {
    /// A checkpoint of an untrained `mlp` on 8×8 bus-synth phantoms, written to a temporary file.
    static func writeCheckpoint(fingerprint: String? = nil) throws -> String {
        let spec = DatasetSpec.busSynth(count: 40, size: 8)
        let dataset = try spec.build()
        let configuration = ModelConfiguration(name: "mlp", inputSize: 8, seed: 3)
        let model = try ModelZoo.build(configuration)
        func json<T: Encodable>(_ value: T) throws -> JSONValue { try JSONValueEncoder().encode(value) }
        let manifest = Manifest(
            runID: "score-test", createdAt: "2026-01-01T00:00:00Z", software: .init(name: "sharp", version: "test"),
            model: .init(name: "mlp", config: try json(configuration)),
            dataset: .init(spec: try json(spec), fingerprint: fingerprint ?? dataset.fingerprint, splitSeed: spec.splitSeed,
                           trainCount: dataset.trainIndices.count, testCount: dataset.testIndices.count),
            optimizer: .init(plugin: "adam", version: "1.0.0", hyperparameters: .object(["batch_size": .number(8)])),
            training: .init(epoch: 0, step: 0, seed: 0, trainLoss: 0, trainAccuracy: 0, elapsedSeconds: 0, stopReason: "test"))
        let checkpoint = Checkpoint(manifest: manifest, modelTensors: model.stateDict.map { NamedTensor($0.name, $0.tensor) },
                                    optimizerTensors: [], history: "epoch\n")
        let path = NSTemporaryDirectory() + "sharp-score-\(UUID().uuidString)\(Checkpoint.fileExtension)"
        try checkpoint.write(to: path)
        return path
    }

    @Test func scoresACheckpointWithItsOwnModelDataAndBatchSize() throws {
        let path = try Self.writeCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = EvaluationOptions()
        options.sampleCount = 16
        let scorer = try Scorer(checkpoint: path, options: options, registry: ScorerTests.registry)
        #expect(scorer.context.batchSize == 8)
        #expect(scorer.context.evaluationBatches.count == 2)
        let accuracy = try scorer.run(MetricRequest(parsing: "accuracy"))
        #expect(accuracy.scalars.map(\.name) == ["train_acc", "test_acc", "train_loss", "test_loss", "gap"])
        let trace = try scorer.run(MetricRequest(parsing: "hessian-trace:probes=3"))
        #expect(trace.counters.hessianVectorProducts == 3)
        #expect(trace.counters.batchProducts == 6)
        #expect(trace.counters.cacheHits == 4)
        let report = ScoreReport(entries: [.init(checkpoint: path, runID: "score-test", model: "mlp", optimizer: "adam",
                                                 evaluation: ["samples": "16"], metrics: [accuracy, trace])])
        #expect(report.csv().split(separator: "\n").count == 1 + 5 + 2)
        #expect(report.table().contains("hessian-trace:probes=3"))
        #expect(try report.json().contains("\"trace_of_square\""))
        // One name for the standard error and the HVP count, in JSON as in the CSV header and sharpq.
        #expect(try report.json().contains("\"stderr\"") && !(try report.json().contains("standardError")))
        #expect(report.csv().hasPrefix("checkpoint,metric,output,value,stderr,hvp_count,seconds"))
    }

    @Test func aMetricsFailureNamesTheMetricOnce() {
        #expect(ScoringError.metricFailed(metric: "hessian-trace", reason: "hessian-trace evaluate failed, numerical error: NaN loss").description
            == "metric hessian-trace evaluate failed, numerical error: NaN loss")
        #expect(ScoringError.metricFailed(metric: "accuracy", reason: "out of memory").description == "metric accuracy failed: out of memory")
    }

    @Test func aDatasetThatNoLongerMatchesItsFingerprintIsAClearError() throws {
        let path = try Self.writeCheckpoint(fingerprint: String(repeating: "0", count: 64))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try Scorer(checkpoint: path, options: EvaluationOptions(), registry: ScorerTests.registry)
            Issue.record("expected a dataset error")
        } catch let error as ScoringError {
            guard case .dataset = error else { Issue.record("wrong error: \(error)"); return }
            #expect(error.description.contains("cannot rebuild the dataset"))
        }
    }

    @Test func aMissingCheckpointIsAClearError() {
        #expect(throws: ScoringError.self) { try Scorer(checkpoint: "/nonexistent.ckpt.tar.zst", options: EvaluationOptions(), registry: ScorerTests.registry) }
    }
}

/// Checkpoints of one dataset share its rebuild within a process (`DatasetCache`).
@Suite struct DatasetCacheTests {
    @Test func twoCheckpointsOfOneDatasetShareItsRebuild() throws {
        let a = try CheckpointScoringTests.writeCheckpoint(), b = try CheckpointScoringTests.writeCheckpoint()
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let first = try ScoringSubject(path: a), second = try ScoringSubject(path: b)
        #expect(first.dataset.images.storage === second.dataset.images.storage)
        #expect(first.dataset.fingerprint == second.dataset.fingerprint)
    }
}
