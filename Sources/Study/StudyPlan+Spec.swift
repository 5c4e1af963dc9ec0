import Foundation
import JSON

/// A cell as a training job (`sharp study --distributed`, docs/fleet.md §7): everything a daemon
/// started with `--train` needs to train it, and nothing else (the metrics are the daemons'
/// concern, the other cells another job's).
extension StudyPlan {
    /// The spec's format; a daemon refuses specs of another.
    static let trainingSpecFormat: Int64 = 1

    /// The training job of `cell` under this plan's settings, as JSON.
    public func trainingSpec(for cell: StudyCell) -> String {
        JSONValue.object([
            "format": .integer(Self.trainingSpecFormat), "study": .string(name), "model": .string(cell.model),
            "optimizer": .string(cell.optimizer), "seed": .string(String(cell.seed)), "data": .string(data),
            "image_size": .integer(Int64(imageSize)), "learning_rate": .number(learningRate),
            "batch_size": .integer(Int64(batchSize)), "max_epochs": .integer(Int64(maxEpochs)),
            "until_train_accuracy": untilTrainAccuracy.map(JSONValue.number) ?? .null,
            "checkpoint_every": .integer(Int64(checkpointEvery)),
        ]).text
    }

    /// The one-cell plan and the cell a training spec describes.
    public static func fromTrainingSpec(_ json: String) throws -> (plan: StudyPlan, cell: StudyCell) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw StudyError("a training job's spec is not JSON: \(error)")
        }
        guard value["format"]?.numberValue == Double(trainingSpecFormat) else {
            throw StudyError("a training job's spec has format \(value["format"]?.text ?? "none"), this Sharp reads \(trainingSpecFormat); run the same Sharp on every host")
        }
        func string(_ key: String) throws -> String {
            guard let s = value[key]?.stringValue else { throw StudyError("a training job's spec lacks \(key)") }
            return s
        }
        func integer(_ key: String) throws -> Int {
            guard let n = value[key]?.numberValue, n == n.rounded() else { throw StudyError("a training job's spec lacks \(key)") }
            return Int(n)
        }
        guard let seed = UInt64(try string("seed")), let rate = value["learning_rate"]?.numberValue else {
            throw StudyError("a training job's spec has no valid seed or learning rate")
        }
        let cell = StudyCell(study: try string("study"), model: try string("model"), optimizer: try string("optimizer"), seed: seed)
        var plan = StudyPlan(
            name: cell.study, models: [cell.model], optimizers: [cell.optimizer], seeds: [seed], data: try string("data"),
            imageSize: try integer("image_size"), maxEpochs: try integer("max_epochs"),
            untilTrainAccuracy: value["until_train_accuracy"]?.numberValue, checkpointEvery: try integer("checkpoint_every"),
            metrics: [], evaluationSamples: nil)
        plan.learningRate = rate
        plan.batchSize = try integer("batch_size")
        return (plan, cell)
    }
}
