import Checkpoint
import Foundation
import Index
import JSON

/// What a checkpoint puts into the index: its row from the manifest (here), its metric results
/// (`ScoringResults+Outcome.swift`) and series (Sources/Index/Store/SeriesJSON.swift). sharpd and `sharp study`'s
/// in-process scoring both write through these, so their rows cannot drift apart.
extension CheckpointRecord {
    /// The index row for a readable checkpoint: identity, what was trained how, on what data.
    public init(manifest m: Manifest, sha256: String, sizeBytes: Int) {
        let hyperparameters = m.optimizer.hyperparameters
        self.init(
            sha256: sha256, sizeBytes: sizeBytes, runID: m.runID,
            createdAt: ISO8601DateFormatter().date(from: m.createdAt) ?? Date(timeIntervalSince1970: 0),
            softwareVersion: m.software.version, model: m.model.name, modelConfigJSON: Self.text(m.model.config),
            optimizer: m.optimizer.plugin, optimizerVersion: m.optimizer.version,
            baseOptimizer: hyperparameters["base"]?.stringValue, hyperparametersJSON: Self.text(hyperparameters),
            dataset: m.dataset.spec["kind"]?.stringValue ?? "unknown", datasetFingerprint: m.dataset.fingerprint,
            datasetSpecJSON: Self.text(m.dataset.spec), splitSeed: m.dataset.splitSeed, trainCount: m.dataset.trainCount,
            testCount: m.dataset.testCount, seed: m.training.seed, epoch: m.training.epoch, step: m.training.step,
            trainingLoss: m.training.trainLoss, trainingAccuracy: m.training.trainAccuracy,
            elapsedSeconds: m.training.elapsedSeconds, stopReason: m.training.stopReason,
            provenance: m.provenance?.source ?? "trained")
    }

    /// Compact JSON with sorted keys (the index checks it with json_valid).
    static func text(_ value: JSONValue) -> String {
        JSONWriter(nonFinite: .strings(nan: "nan", infinity: "inf", negativeInfinity: "-inf")).text(value)
    }
}
