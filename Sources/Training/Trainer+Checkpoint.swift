import BuildInfo
import Checkpoint
import Datasets
import Foundation
import JSON
import NN
import PluginHost
import Tensor

/// Writing a run's state as a checkpoint archive, and resuming from one.
extension Trainer {
    /// The writer recorded in manifests: Sharp's version and commit, and the CPU and BLAS kernel
    /// that float32 results depend on.
    public static var software: Manifest.Software {
        let cpu = CPUInfo.current
        return .init(
            name: "sharp", version: BuildInfo.version, commit: BuildInfo.shortCommit,
            cpu: "\(cpu.brand) (family \(cpu.family), model \(cpu.model))", blas: "OpenBLAS \(BLAS.version) \(BLAS.kernel)")
    }

    /// `history.csv` of a checkpoint without epochs (an imported one): the header line alone.
    public static var historyHeader: String { EpochRecord.csv([]) }

    /// `<store>/<runID>-e<epoch>.ckpt.tar.zst`, written atomically.
    func writeCheckpoint(stopReason: String, elapsed: Double) throws -> String {
        let c = configuration
        let last = history.last
        do {
            try FileManager.default.createDirectory(atPath: c.store, withIntermediateDirectories: true)
            let manifest = Manifest(
                runID: c.runID, createdAt: ISO8601DateFormatter().string(from: Date()),
                software: Self.software,
                model: .init(name: c.model.name, config: try JSONValue(encoding: c.model)),
                dataset: .init(
                    spec: try JSONValue(encoding: c.dataset), fingerprint: dataset.fingerprint, splitSeed: c.dataset.splitSeed,
                    trainCount: dataset.trainIndices.count, testCount: dataset.testIndices.count),
                optimizer: .init(plugin: optimizer.plugin.name, version: optimizer.plugin.version, hyperparameters: try optimizerRecord()),
                training: .init(
                    epoch: epoch, step: step, seed: c.seed, trainLoss: last?.trainLoss ?? .nan,
                    trainAccuracy: last?.trainAccuracy ?? .nan, elapsedSeconds: elapsed, stopReason: stopReason))
            let state = try optimizer.saveState().map { t -> NamedTensor in
                switch t.values {
                case .float32(let v): return NamedTensor(t.name, Tensor(shape: t.shape, scalars: v, dtype: .float32))
                case .float64(let v): return NamedTensor(t.name, Tensor(shape: t.shape, scalars: v, dtype: .float64))
                }
            }
            let checkpoint = Checkpoint(
                manifest: manifest, modelTensors: model.stateDict.map { NamedTensor($0.name, $0.tensor) },
                optimizerTensors: state, history: EpochRecord.csv(history))
            let path = (c.store as NSString).appendingPathComponent(String(format: "%@-e%04d%@", c.runID, epoch, Checkpoint.fileExtension))
            try checkpoint.write(to: path)
            return path
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.checkpoint("\(error)")
        }
    }

    /// The optimizer as a manifest records it: its resolved hyperparameters, its base and the
    /// trainer settings a resume needs.
    func optimizerRecord() throws -> JSONValue {
        let c = configuration
        var record: [String: JSONValue] = [
            "hyperparameters": try JSONValue(parsing: optimizer.hyperparametersJSON),
            "learning_rate": .number(c.learningRate),
            "batch_size": .number(Double(c.batchSize)),
            "max_epochs": .number(Double(c.maxEpochs)),
            "checkpoint_every": .number(Double(c.checkpointEvery)),
        ]
        if let until = c.untilTrainAccuracy { record["until_train_accuracy"] = .number(until) }
        if let base = optimizer.base {
            record["base"] = .string(base.plugin.name)
            record["base_version"] = .string(base.plugin.version)
            record["base_hyperparameters"] = try JSONValue(parsing: base.hyperparametersJSON)
        }
        return .object(record)
    }

    /// The directory a checkpoint path is in ("." for a bare file name).
    public static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Continues the run a checkpoint came from (weights, BatchNorm statistics, optimizer state,
    /// counters and history), into `store` (default: the checkpoint's directory), up to `maxEpochs`.
    public static func resume(from path: String, registry: PluginRegistry, maxEpochs: Int? = nil, store: String? = nil) throws -> Trainer {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: path) } catch { throw TrainingError.checkpoint("\(error)") }
        let m = checkpoint.manifest
        guard m.hasOptimizerState else {
            throw TrainingError.checkpoint(
                "\(path): holds no optimizer state (\(m.provenance.map { "imported from \($0.file)" } ?? "optimizer 'none'")); "
                    + "it can be scored (sharp score, sharpd) but not resumed")
        }
        do {
            let modelConfiguration = try m.model.config.decode(ModelConfiguration.self)
            let spec: DatasetSpec
            do {
                spec = try m.dataset.spec.decode(DatasetSpec.self).located(checkpoint: path, dataRoots: DatasetSpec.dataRoots(given: []))
            } catch let error as DatasetError {
                throw TrainingError.dataset("\(path): \(error)")
            }
            guard case .object(let record) = m.optimizer.hyperparameters, case .object(let own)? = record["hyperparameters"] else {
                throw TrainingError.checkpoint("\(path): the manifest has no optimizer record this Sharp can resume from")
            }
            var hyperparameters = own.compactMapValues(HyperparameterValue.init)
            if case .object(let baseOwn)? = record["base_hyperparameters"] {
                for (k, v) in baseOwn { if let value = HyperparameterValue(v) { hyperparameters["base." + k] = value } }
            }
            func number(_ key: String) -> Double? { if case .number(let x)? = record[key] { return x } else { return nil } }
            func text(_ key: String) -> String? { if case .string(let s)? = record[key] { return s } else { return nil } }
            let configuration = TrainingConfiguration(
                model: modelConfiguration, dataset: spec, optimizer: m.optimizer.plugin, baseOptimizer: text("base"),
                hyperparameters: hyperparameters, learningRate: number("learning_rate") ?? 1e-4,
                batchSize: Int(number("batch_size") ?? 16), maxEpochs: maxEpochs ?? Int(number("max_epochs") ?? 100),
                untilTrainAccuracy: number("until_train_accuracy"), seed: m.training.seed,
                checkpointEvery: Int(number("checkpoint_every") ?? 0),
                store: store ?? Self.folder(of: path), runID: m.runID)
            let dataset: Dataset
            do { dataset = try spec.build(expectingFingerprint: m.dataset.fingerprint) } catch { throw TrainingError.dataset("\(path): \(error)") }
            var model = try ModelZoo.build(modelConfiguration)
            try model.load(stateDict: Dictionary(uniqueKeysWithValues: checkpoint.modelTensors.map { ($0.name, $0.tensor) }))
            let trainer = try Trainer(
                configuration: configuration, dataset: dataset, model: model, registry: registry,
                history: try EpochRecord.parse(checkpoint.history), step: m.training.step, elapsed: m.training.elapsedSeconds)
            try trainer.optimizer.loadState(checkpoint.optimizerTensors.map { t in
                OptimizerStateTensor(
                    name: t.name, shape: t.tensor.shape,
                    values: t.tensor.dtype == .float32 ? .float32(t.tensor.floats) : .float64(t.tensor.doubles))
            })
            return trainer
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.checkpoint("\(path): cannot resume: \(error)")
        }
    }
}

extension HyperparameterValue {
    /// A manifest value as a hyperparameter (nested objects and arrays have no equivalent).
    init?(_ json: JSONValue) {
        switch json {
        case .number(let x): self = .number(x)
        case .integer(let i): self = .number(Double(i))
        case .bool(let b): self = .boolean(b)
        case .string(let s): self = .string(s)
        case .null: self = .null
        default: return nil
        }
    }
}
