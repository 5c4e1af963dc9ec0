import ArgumentParser
import CommandLineSupport
import Datasets
import Foundation
import NN
import PluginHost
import Tensor
import Training

/// `sharp train`: trains a zoo model with an optimizer plugin and writes checkpoints into a store.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier with Adam or a sharpness-aware optimizer and write checkpoints.",
        discussion: """
            Defaults follow the study: Adam base, lr 1e-4, batch 16. Examples:
              sharp train --model vgg-mini --optimizer sam --data bus-synth --store store/
              sharp train --model resnet-mini --optimizer asam --opt rho=2.0 --until-train-acc 1.0 --epochs 60
              sharp train --resume store/run1-e0005.ckpt.tar.zst --epochs 10
            """)

    @Option(help: "Model: \(ModelZoo.names.joined(separator: ", ")).") var model = "vgg-mini"
    @Option(name: .customLong("data"), help: "bus-synth[:count=N,seed=S,benign=B], a folder ROOT/<class>/*.png|jpg, or a MedMNIST .npz.") var data = "bus-synth"
    @Option(help: "Image size (square).") var imageSize = 64
    @Option(help: "Classes of the model's output (default: the dataset's: 2 for bus-synth, a folder's subfolders, an .npz's labels).")
    var classes: Int?
    @Option(help: "Optimizer plugin (sgd, adam, adamw, sam, asam, gsam, wsam, crsam, or an installed plugin).") var optimizer = "adam"
    @Option(help: "Base optimizer for sharpness-aware optimizers (default: the plugin's, adam).") var base: String?
    @Option(name: .customLong("opt"), parsing: .singleValue, help: "Optimizer hyperparameter KEY=VALUE (repeatable; base.KEY for the base).")
    var hyperparameters: [String] = []
    @Option(help: "Learning rate.") var lr = 1e-4
    @Option(help: "Mini-batch size.") var batchSize = 16
    @Option(help: "Maximum epochs (default 20; with --resume, the run's own cap).") var epochs: Int?
    @Option(name: .customLong("until-train-acc"), help: "Stop when an epoch's train accuracy reaches this (the study: 1.0).")
    var untilTrainAccuracy: Double?
    @Option(help: "Seed for initialisation, shuffling and dropout.") var seed: UInt64 = 0
    @Option(help: "Threads for Sharp's kernels (default: all CPUs).") var threads: Int?
    @Option(help: "Also write a checkpoint every N epochs (0: only the final one).") var checkpointEvery = 0
    @Option(
        name: .customLong("store"),
        help: "Directory the checkpoints are written to (default: SHARP_STORE, else store/; with --resume, the checkpoint's folder).")
    var storeArgument: String?
    /// --store, else (unless resuming, which defaults to the checkpoint's folder) SHARP_STORE.
    var store: String? { storeArgument ?? (resume == nil ? StoreArgument.optional(nil) : nil) }
    @Option(help: "Run id (default: <model>-<optimizer>-s<seed>-<time>).") var runID: String?
    @Option(help: "Continue the run a checkpoint came from.") var resume: String?

    func validate() throws {
        guard lr > 0, batchSize > 0, (epochs ?? 1) > 0 else { throw ValidationError("--lr, --batch-size and --epochs must be positive") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let c = classes, c < 2 { throw ValidationError("--classes must be at least 2") }
    }

    func run() throws {
        if let threads { Parallel.configure(threads: threads) }
        let registry = PluginRegistry(store: store ?? resume.map(Trainer.folder(of:)) ?? "store")
        let trainer: Trainer
        do {
            if let resume {
                trainer = try Trainer.resume(from: resume, registry: registry, maxEpochs: epochs, store: store)
            } else {
                trainer = try Trainer(configuration: try makeConfiguration(), registry: registry, classesFromData: classes == nil)
            }
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        }
        let c = trainer.configuration
        ProgressPrinter.line("sharp train: \(c.model.name) on \(trainer.dataset.name) (\(trainer.dataset.trainIndices.count) train / "
            + "\(trainer.dataset.testIndices.count) test), \(c.optimizer)\(c.baseOptimizer.map { "+\($0)" } ?? ""), lr \(c.lr), "
            + "batch \(c.batchSize), up to \(c.maxEpochs) epoch\(c.maxEpochs == 1 ? "" : "s"), run \(c.runID)")
        let progress = ProgressPrinter()
        do {
            let (reason, _) = try trainer.run(progress: progress)
            progress.finish()
            ProgressPrinter.line("stopped: \(reason.rawValue) after epoch \(trainer.epoch)")
        } catch let error as TrainingError {
            progress.finish()
            throw CommandFailure(error.description)
        }
    }

    private func makeConfiguration() throws -> TrainingConfiguration {
        var values: [String: HyperparameterValue] = [:]
        for item in hyperparameters {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--opt expects KEY=VALUE, got '\(item)'") }
            values[parts[0]] = Double(parts[1]).map(HyperparameterValue.number)
                ?? (parts[1] == "true" ? .boolean(true) : parts[1] == "false" ? .boolean(false) : .string(parts[1]))
        }
        let spec = try DatasetSpec(commandLine: data, size: imageSize)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        return TrainingConfiguration(
            model: ModelConfiguration(name: model, inputChannels: 1, inputSize: imageSize, classes: classes ?? 2, seed: seed),
            dataset: spec, optimizer: optimizer, baseOptimizer: base, hyperparameters: values, learningRate: lr,
            batchSize: batchSize, maxEpochs: epochs ?? 20, untilTrainAccuracy: untilTrainAccuracy, seed: seed,
            checkpointEvery: checkpointEvery, store: store ?? "store", runID: runID ?? "\(model)-\(optimizer)-s\(seed)-\(stamp)")
    }
}

extension TrainingConfiguration {
    var lr: Double { learningRate }
}
