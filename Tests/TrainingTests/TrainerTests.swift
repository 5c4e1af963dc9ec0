import Checkpoint
import Datasets
import Foundation
import NN
import PluginHost
import Testing
import Training

/// The trainer end to end on a small bus-synth set, with the built optimizer plugins.
@Suite(.serialized)
struct TrainerTests {
    static func configuration(store: String, optimizer: String = "adam", epochs: Int, lr: Double = 1e-3, until: Double? = nil)
        -> TrainingConfiguration
    {
        TrainingConfiguration(
            model: ModelConfiguration(name: "mlp", inputChannels: 1, inputSize: 32, classes: 2, seed: 7),
            dataset: .busSynth(seed: 3, count: 80, benignCount: 40, size: 32), optimizer: optimizer, learningRate: lr,
            batchSize: 16, maxEpochs: epochs, untilTrainAccuracy: until, seed: 7, checkpointEvery: 1, store: store,
            runID: "test-\(optimizer)")
    }

    static func temporaryStore() throws -> String {
        let path = NSTemporaryDirectory() + "sharp-trainer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let registry = PluginRegistry()

    @Test func resumingContinuesWithBitIdenticalParameters() throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let straight = try Trainer(configuration: Self.configuration(store: store + "/a", optimizer: "sam", epochs: 3), registry: Self.registry)
        try straight.run()

        let first = try Trainer(configuration: Self.configuration(store: store + "/b", optimizer: "sam", epochs: 1), registry: Self.registry)
        let (_, written) = try first.run()
        let resumed = try Trainer.resume(from: written[0], registry: Self.registry, maxEpochs: 3)
        try resumed.run()

        #expect(resumed.epoch == 3)
        #expect(straight.model.parameterVector.floats == resumed.model.parameterVector.floats, "weights differ after resume")
        #expect(straight.model.buffers.map(\.doubles) == resumed.model.buffers.map(\.doubles))
        #expect(straight.history.map(\.trainLoss) == resumed.history.map(\.trainLoss))
    }

    @Test func checkpointsAreReadableAndDescribeTheRun() throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let trainer = try Trainer(configuration: Self.configuration(store: store, optimizer: "sam", epochs: 2), registry: Self.registry)
        let (reason, written) = try trainer.run()
        #expect(reason == .maxEpochs)
        #expect(written.count == 2)
        let checkpoint = try Checkpoint.read(from: written[1])
        let m = checkpoint.manifest
        #expect(m.model.name == "mlp")
        #expect(m.optimizer.plugin == "sam")
        #expect(m.training.epoch == 2)
        #expect(m.training.step == trainer.history.reduce(0) { $0 + $1.steps } && m.training.step == 2 * ((trainer.dataset.trainIndices.count + 15) / 16))
        #expect(m.dataset.fingerprint == trainer.dataset.fingerprint)
        #expect(checkpoint.modelTensors.map(\.name) == trainer.model.stateDict.map(\.name))
        #expect(checkpoint.optimizerTensors.contains { $0.name == "base.exp_avg" || $0.name.hasPrefix("base.") })
        #expect(checkpoint.history.split(separator: "\n").count == 3)
        // SAM makes two passes per step.
        #expect(trainer.history.allSatisfy { $0.passes == 2 * $0.steps })
    }

    @Test func stopsWhenTrainAccuracyIsReached() throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let trainer = try Trainer(configuration: Self.configuration(store: store, epochs: 60, until: 1.0), registry: Self.registry)
        let (reason, _) = try trainer.run()
        #expect(reason == .reachedTrainAccuracy, "train accuracy only reached \(trainer.history.last?.trainAccuracy ?? 0)")
        #expect(trainer.history.last?.trainAccuracy == 1.0)
        #expect(trainer.epoch < 60)
    }

    @Test func unknownOptimizerAndMismatchedShapesAreExplained() throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(throws: TrainingError.self) {
            try Trainer(configuration: Self.configuration(store: store, optimizer: "nosuch", epochs: 1), registry: Self.registry)
        }
        var wrongSize = Self.configuration(store: store, epochs: 1)
        wrongSize.model.inputHeight = 64
        wrongSize.model.inputWidth = 64
        do {
            _ = try Trainer(configuration: wrongSize, registry: Self.registry)
            Issue.record("a 64×64 model must not train on 32×32 images")
        } catch {
            #expect("\(error)".contains("configured for 1×64×64"))
        }
    }
}
