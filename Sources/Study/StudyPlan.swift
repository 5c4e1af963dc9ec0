import Foundation
import JSON

/// The grid a study trains and scores: every model × every optimizer × every seed, with the
/// training settings and the metric requests each final checkpoint is scored with
/// (docs/study.md). Two presets: `quick` (minutes on two cores, for the demo) and `paper` (the
/// study's full grid on the mini models).
public struct StudyPlan: Sendable, Equatable {
    /// The study's name; its files live in `<store>/study/<name>/`, its run ids start `study-<name>-`.
    public var name: String
    /// Zoo models, in table order.
    public var models: [String]
    /// Optimizer plugins, in table order; `baseline` is the one the others are tested against.
    public var optimizers: [String]
    /// The row every other optimizer is paired against (the study's Adam).
    public var baseline = "adam"
    /// Seeds (model initialisation, shuffling, dropout); the pairing key of the tests.
    public var seeds: [UInt64]
    /// `--data` text: `bus-synth[:count=N,...]`, a folder, or an `.npz`.
    public var data: String
    /// Square input size.
    public var imageSize: Int
    /// Learning rate and mini-batch size (the study: 1e-4, 16).
    public var learningRate = 1e-4
    public var batchSize = 16
    /// Epoch cap, and the stopping rule (the study: 100% training accuracy).
    public var maxEpochs: Int
    public var untilTrainAccuracy: Double?
    /// Intermediate checkpoints every N epochs (0: only the final one); they let an interrupted
    /// cell resume and stay in the hidden work folder, so they are never scored.
    public var checkpointEvery: Int
    /// Metric requests (`NAME[:k=v,...]`) each final checkpoint is scored with.
    public var metrics: [String]
    /// Training samples the Hessian metrics use (nil: the whole split).
    public var evaluationSamples: Int?

    /// A plan.
    public init(
        name: String, models: [String], optimizers: [String], seeds: [UInt64], data: String, imageSize: Int, maxEpochs: Int,
        untilTrainAccuracy: Double?, checkpointEvery: Int, metrics: [String], evaluationSamples: Int?
    ) {
        self.name = name
        self.models = models
        self.optimizers = optimizers
        self.seeds = seeds
        self.data = data
        self.imageSize = imageSize
        self.maxEpochs = maxEpochs
        self.untilTrainAccuracy = untilTrainAccuracy
        self.checkpointEvery = checkpointEvery
        self.metrics = metrics
        self.evaluationSamples = evaluationSamples
    }

    /// The named presets.
    public enum Preset: String, Sendable, CaseIterable {
        case quick, paper
    }

    /// A preset's plan.
    ///
    /// - `quick`: resnet-mini and vgg-mini, Adam vs SAM, two seeds, 480 phantoms at 32×32, at most
    ///   eight epochs (lr 1e-3 so a few epochs learn something), Hessian metrics on 64 training
    ///   samples with small probe budgets. A few minutes on two cores (docs/study.md has timings).
    /// - `paper`: the study's grid on the mini models: 4 families × 6 optimizers × 3 seeds, the
    ///   full 2,405-image bus-synth set at 64×64, lr 1e-4, batch 16, until 100% training accuracy
    ///   (at most 400 epochs), metrics on 128 samples with the default budgets of `sharp score`
    ///   except the SLQ spectrum (4 × 40 here; `sharp score`'s 10 × 40 is 2.5× the products).
    public static func preset(_ preset: Preset) -> StudyPlan {
        switch preset {
        case .quick:
            var plan = StudyPlan(
                name: "quick", models: ["resnet-mini", "vgg-mini"], optimizers: ["adam", "sam"], seeds: [0, 1],
                data: "bus-synth:count=480", imageSize: 32, maxEpochs: 8, untilTrainAccuracy: 1.0, checkpointEvery: 0,
                metrics: [
                    "accuracy", "hessian-eigen:k=1,max_steps=10,tol=0.001", "hessian-trace:probes=10",
                    "hessian-spectrum:runs=2,steps=12", "hessian-spectrum:mode=per-batch,max_iter=10",
                ],
                evaluationSamples: 64)
            plan.learningRate = 1e-3
            return plan
        case .paper:
            return StudyPlan(
                name: "paper", models: ["resnet-mini", "vgg-mini", "vit-tiny", "swin-mini"],
                optimizers: ["adam", "sam", "asam", "gsam", "wsam", "crsam"], seeds: [0, 1, 2], data: "bus-synth",
                imageSize: 64, maxEpochs: 400, untilTrainAccuracy: 1.0, checkpointEvery: 5,
                metrics: [
                    "accuracy", "hessian-eigen", "hessian-trace", "hessian-spectrum:runs=4,steps=40",
                    "hessian-spectrum:mode=per-batch",
                ],
                evaluationSamples: 128)
        }
    }

    /// Every cell, models outermost, then optimizers, then seeds.
    public var cells: [StudyCell] {
        models.flatMap { model in
            optimizers.flatMap { optimizer in seeds.map { StudyCell(study: name, model: model, optimizer: optimizer, seed: $0) } }
        }
    }

    /// The settings that must not change between runs into the same study folder, as JSON text
    /// (`plan.json`): a different grid is fine (cells are added), other data or training settings
    /// are not (the tables would mix them).
    public var settingsJSON: String {
        JSONValue.object([
            "batch_size": .integer(Int64(batchSize)), "data": .string(data), "image_size": .integer(Int64(imageSize)),
            "learning_rate": .number(learningRate), "max_epochs": .integer(Int64(maxEpochs)),
            "until_train_accuracy": untilTrainAccuracy.map(JSONValue.number) ?? .null,
        ]).text
    }
}

/// One (model, optimizer, seed) training run of a study.
public struct StudyCell: Sendable, Equatable, Hashable {
    /// The study's name.
    public var study: String
    /// Model, optimizer plugin and seed.
    public var model: String, optimizer: String, seed: UInt64

    /// A cell.
    public init(study: String, model: String, optimizer: String, seed: UInt64) {
        self.study = study
        self.model = model
        self.optimizer = optimizer
        self.seed = seed
    }

    /// The deterministic run id: `study-<name>-<model>-<optimizer>-s<seed>`.
    public var runID: String { "study-\(study)-\(model)-\(optimizer)-s\(seed)" }
}
