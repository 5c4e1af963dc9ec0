import Autodiff
import Datasets
import Foundation
import NN
import PluginHost
import Tensor

/// The built-in trainer: mini-batch training of a zoo model with an optimizer plugin, writing
/// checkpoint archives into the store.
///
/// Determinism: shuffling depends only on (seed, epoch) and dropout only on (seed, global step),
/// and every piece of state (weights, BatchNorm statistics, optimizer state, step counters) is in
/// the checkpoint, so a resumed run continues bit-identically (same thread count).
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let dataset: Dataset
    public private(set) var model: Model
    public private(set) var history: [EpochRecord]
    let optimizer: LoadedOptimizer
    let evaluator: GradientEvaluator
    /// The weights the optimizer updates in place; `model.parameters` are views into it.
    let weights: Tensor
    var step: Int
    var elapsedBeforeThisRun: Double

    /// A new run from freshly initialised weights. `classesFromData`: the model gets as many
    /// outputs as the dataset has classes, whatever `configuration.model.classes` says.
    public convenience init(configuration: TrainingConfiguration, registry: PluginRegistry, classesFromData: Bool = false) throws {
        var c = configuration
        guard c.batchSize > 0, c.maxEpochs > 0, c.learningRate > 0 else {
            throw TrainingError.invalidConfiguration("--batch-size, --epochs and --lr must be positive")
        }
        let dataset: Dataset
        do { dataset = try c.dataset.build() } catch { throw TrainingError.dataset("\(error)") }
        if classesFromData { c.model.classes = dataset.classNames.count }
        let model: Model
        do { model = try ModelZoo.build(c.model) } catch { throw TrainingError.invalidConfiguration("\(error)") }
        try self.init(configuration: c, dataset: dataset, model: model, registry: registry, history: [], step: 0, elapsed: 0)
    }

    init(
        configuration c: TrainingConfiguration, dataset: Dataset, model: Model, registry: PluginRegistry,
        history: [EpochRecord], step: Int, elapsed: Double
    ) throws {
        guard dataset.imageSize == (c.model.inputHeight, c.model.inputWidth), dataset.images.shape[1] == c.model.inputChannels else {
            throw TrainingError.invalidConfiguration(
                "dataset \(dataset.name) has \(dataset.images.shape[1])×\(dataset.imageSize.height)×\(dataset.imageSize.width) images but "
                    + "\(c.model.name) is configured for \(c.model.inputChannels)×\(c.model.inputHeight)×\(c.model.inputWidth)")
        }
        guard dataset.classNames.count == c.model.classes else {
            throw TrainingError.invalidConfiguration("dataset \(dataset.name) has \(dataset.classNames.count) classes, the model \(c.model.classes)")
        }
        configuration = c
        self.dataset = dataset
        var model = model
        weights = model.parameterVector.copy()
        model.setParameterVector(weights)
        self.model = model
        self.history = history
        self.step = step
        elapsedBeforeThisRun = elapsed
        evaluator = GradientEvaluator(model: model)
        let layout = model.entries.filter { $0.kind == .parameter }.map { ParameterLayoutEntry(name: $0.name, shape: $0.shape) }
        var hyperparameters = c.hyperparameters
        if hyperparameters["lr"] == nil && hyperparameters["base.lr"] == nil { hyperparameters["lr"] = .number(c.learningRate) }
        do {
            optimizer = try LoadedOptimizer(
                registry: registry, name: c.optimizer, base: c.baseOptimizer, layout: layout, hyperparameters: hyperparameters)
        } catch {
            throw TrainingError.optimizer("\(error)")
        }
        optimizer.learningRate = c.learningRate
    }

    /// Completed epochs.
    public var epoch: Int { history.last?.epoch ?? 0 }

    /// Why a run stopped.
    public enum StopReason: String, Sendable {
        case reachedTrainAccuracy = "reached-train-accuracy"
        case maxEpochs = "max-epochs"
    }

    /// Trains until the stopping rule holds, writing checkpoints; returns their paths.
    @discardableResult
    public func run(progress: TrainingProgress? = nil) throws -> (stopReason: StopReason, checkpoints: [String]) {
        let c = configuration
        let start = Date()
        var written: [String] = []
        while epoch < c.maxEpochs {
            let record = try trainOneEpoch(epoch + 1, start: start, progress: progress)
            history.append(record)
            progress?.epochFinished(record, maxEpochs: c.maxEpochs)
            let reached = c.untilTrainAccuracy.map { record.trainAccuracy >= $0 } ?? false
            let stop: StopReason? = reached ? .reachedTrainAccuracy : (epoch >= c.maxEpochs ? .maxEpochs : nil)
            if let stop {
                written.append(try writeCheckpoint(stopReason: stop.rawValue, elapsed: elapsed(since: start)))
                progress?.checkpointWritten(path: written.last!)
                return (stop, written)
            }
            if c.checkpointEvery > 0 && epoch % c.checkpointEvery == 0 {
                written.append(try writeCheckpoint(stopReason: "", elapsed: elapsed(since: start)))
                progress?.checkpointWritten(path: written.last!)
            }
        }
        return (.maxEpochs, written)
    }

    func elapsed(since start: Date) -> Double { elapsedBeforeThisRun + Date().timeIntervalSince(start) }

    private func trainOneEpoch(_ epochNumber: Int, start: Date, progress: TrainingProgress?) throws -> EpochRecord {
        let c = configuration
        let batches = Array(dataset.trainingBatches(batchSize: c.batchSize, seed: c.seed, epoch: epochNumber))
        let epochStart = Date()
        var (lossSum, correct, seen, passes) = (0.0, 0, 0, 0)
        let buffer = UnsafeMutableBufferPointer(start: weights.pointer(Float.self), count: weights.count)
        for (index, batch) in batches.enumerated() {
            step += 1
            let dropoutSeed = c.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step)
            var clean: GradientEvaluator.Pass?
            let report: StepReport
            do {
                report = try optimizer.step(parameters: buffer, epoch: epochNumber) { [model, evaluator] p, g, pass in
                    let result = try evaluator.evaluate(model: model, batch: batch, dropoutSeed: dropoutSeed, parameters: p, gradient: g)
                    if pass.updatesStatistics || clean == nil && pass.index == 0 { clean = result }
                    return result.loss
                }
            } catch let AutodiffError.nonFiniteValue(value) {
                // The oracle's error reaches us unchanged: the host rethrows callback errors.
                throw TrainingError.nonFiniteLoss(epoch: epochNumber, step: step, value: value)
            } catch {
                throw TrainingError.optimizer("\(error)")
            }
            guard let clean else { throw TrainingError.optimizer("\(optimizer.compositeName) made no gradient pass in a step") }
            model.apply(updatedBuffers: clean.updatedBuffers)
            lossSum += clean.loss * Double(batch.labels.count)
            correct += GradientEvaluator.correct(clean.logits, batch.labels)
            seen += batch.labels.count
            passes += report.passes
            progress?.batchFinished(
                epoch: epochNumber, batch: index + 1, of: batches.count, loss: lossSum / Double(seen),
                accuracy: Double(correct) / Double(seen), elapsed: elapsed(since: start))
        }
        return EpochRecord(
            epoch: epochNumber, trainLoss: lossSum / Double(max(seen, 1)), trainAccuracy: Double(correct) / Double(max(seen, 1)),
            seconds: Date().timeIntervalSince(epochStart), passes: passes, steps: batches.count)
    }

}
