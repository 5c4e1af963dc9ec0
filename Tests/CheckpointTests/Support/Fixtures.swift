import Foundation
import Tensor
import Testing

@testable import Checkpoint

/// A fresh directory under the system temp directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((base + "sharp-checkpoint-tests-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// The names in the directory, hidden ones included, sorted.
    func listing() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Deterministic test data: a 64-bit LCG, so every run builds the same tensors.
struct Values {
    var state: UInt64

    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }

    mutating func tensor(_ shape: [Int], _ dtype: DType = .float32) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in next() }, dtype: dtype)
    }
}

enum Fixtures {
    static func manifest(runID: String = "run7") -> Manifest {
        Manifest(
            runID: runID, createdAt: "2026-05-01T12:00:00Z",
            software: .init(name: "sharp", version: "0.1.0"),
            model: .init(name: "vgg-mini", config: ["inputChannels": 1, "inputSize": 64, "classes": 2]),
            dataset: .init(
                spec: ["kind": "bus-synth", "seed": 42, "count": 2405], fingerprint: String(repeating: "ab", count: 32),
                splitSeed: 7, trainCount: 1924, testCount: 481),
            optimizer: .init(
                plugin: "sam", version: "1.0.0", hyperparameters: ["rho": 0.05, "lr": 0.001, "base": "adam"]),
            training: .init(
                epoch: 40, step: 1200, seed: 1, trainLoss: 0.3125, trainAccuracy: 0.875, elapsedSeconds: 61.5,
                stopReason: "max-epochs"))
    }

    /// A small checkpoint exercising both dtypes, a scalar, an empty tensor and odd sizes.
    static func small(seed: UInt64 = 1) -> Checkpoint {
        var values = Values(state: seed)
        let model = [
            NamedTensor("features.0.weight", values.tensor([16, 1, 3, 3])),
            NamedTensor("features.0.bias", values.tensor([16])),
            NamedTensor("classifier.weight", values.tensor([2, 7], .float64)),
            NamedTensor("scale", values.tensor([])),
            NamedTensor("empty", values.tensor([0, 3])),
            NamedTensor("odd", values.tensor([3, 5, 7], .float64)),
        ]
        let optimizer = [
            NamedTensor("step", Tensor(scalar: 1200, dtype: .float64)),
            NamedTensor("exp_avg.features.0.weight", values.tensor([16, 1, 3, 3])),
            NamedTensor("exp_avg_sq.features.0.weight", values.tensor([16, 1, 3, 3])),
        ]
        return Checkpoint(
            manifest: manifest(), modelTensors: model, optimizerTensors: optimizer,
            history: "epoch,train_loss,train_accuracy\n1,0.69,0.52\n2,0.55,0.71\n")
    }

    /// The raw bytes of a tensor, for bit-exact comparison (NaN payloads and -0 included).
    static func bytes(_ tensor: Tensor) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.count * tensor.dtype.byteSize))
    }

    /// True when both lists hold the same names, dtypes, shapes and bytes, in the same order.
    static func identical(_ a: [NamedTensor], _ b: [NamedTensor]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy {
                $0.name == $1.name && $0.tensor.dtype == $1.tensor.dtype && $0.tensor.shape == $1.tensor.shape
                    && bytes($0.tensor) == bytes($1.tensor)
            }
    }

    /// True when two checkpoints carry the same content (the manifest's computed parts aside).
    static func identical(_ a: Checkpoint, _ b: Checkpoint) -> Bool {
        var left = a.manifest
        var right = b.manifest
        (left.tensors, left.files, left.manifestSHA256) = ([], [:], "")
        (right.tensors, right.files, right.manifestSHA256) = ([], [:], "")
        return left == right && a.history == b.history && identical(a.modelTensors, b.modelTensors)
            && identical(a.optimizerTensors, b.optimizerTensors)
    }
}

/// Runs `body`, which must throw a `CheckpointError`, and returns it (recording an issue if not).
func checkpointError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
    do {
        try body()
        Issue.record("expected a CheckpointError, but no error was thrown", sourceLocation: sourceLocation)
    } catch let error as CheckpointError {
        return error
    } catch {
        Issue.record("expected a CheckpointError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
