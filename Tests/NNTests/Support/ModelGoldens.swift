import Foundation
import TestSupport
import Tensor

/// Readers for the PyTorch/torchvision goldens written by tools/gen_model_goldens.py
/// (Tests/NNTests/Goldens/torchvision_keys.json and mini_models.json). The generator's
/// docstring describes the format; the essentials are repeated on the types below.
enum ModelGoldens {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Goldens") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Goldens/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// Decoded once per process: every test reads the same files.
    static let keys: Result<TorchvisionKeys, any Error> = Result { try load("torchvision_keys", as: TorchvisionKeys.self) }
    static let minis: Result<MiniGoldenFile, any Error> = Result { try load("mini_models", as: MiniGoldenFile.self) }

    static func mini(_ name: String) throws -> MiniGolden {
        guard let model = try minis.get().models[name] else {
            throw CocoaError(.coderValueNotFound, userInfo: [NSDebugDescriptionErrorKey: "no golden for \(name)"])
        }
        return model
    }

    /// Largest |a − b| divided by the largest |b| (the larger of the two when b is all zero).
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
        var difference = 0.0
        var scale = 0.0
        for (x, y) in zip(a, b) {
            difference = max(difference, abs(x - y))
            scale = max(scale, abs(y))
        }
        return scale == 0 ? difference : difference / scale
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { b == 0 ? abs(a) : abs(a - b) / abs(b) }
}

// MARK: - File formats (nested so they cannot collide with other tests' types)

extension ModelGoldens {
    // MARK: torchvision_keys.json

    struct TorchvisionKeys: Decodable {
        let generator: String
        let models: [String: TorchvisionModel]
    }

    /// One torchvision model's `state_dict()`: keys in order with shapes, and the parameter count.
    struct TorchvisionModel: Decodable {
        let torchvision: String
        let input: [Int]
        let classes: Int
        let parameterCount: Int
        let entries: [TorchvisionEntry]

        enum CodingKeys: String, CodingKey {
            case torchvision, input, classes, entries
            case parameterCount = "parameter_count"
        }
    }

    struct TorchvisionEntry: Decodable, Equatable, CustomStringConvertible {
        let name: String
        let shape: [Int]
        /// "parameter" or "buffer" (running_mean, running_var, num_batches_tracked).
        let kind: String
        var description: String { "\(name) \(shape) \(kind)" }
    }

    // MARK: mini_models.json

    struct MiniGoldenFile: Decodable {
        let generator: String
        let conventions: String
        let models: [String: MiniGolden]
    }

    /// One mini model: its state, input and HVP direction as generator recipes, and PyTorch's results
    /// per mode ("evaluation", and "training" where it differs).
    struct MiniGolden: Decodable {
        struct Configuration: Decodable {
            let name: String
            let inputChannels: Int
            let inputSize: Int
            let classes: Int
            enum CodingKeys: String, CodingKey {
                case name, classes
                case inputChannels = "input_channels"
                case inputSize = "input_size"
            }
        }

        let config: Configuration
        let parameterCount: Int
        let trainingEqualsEvaluation: Bool
        /// Every parameter and buffer in PyTorch `state_dict()` order.
        let state: [DrawnTensor]
        let input: DrawnTensor
        let labels: [Int]
        /// H·v direction, one tensor per parameter in order.
        let direction: [DrawnTensor]
        let modes: [String: ModeGolden]
        /// How far the input's nearest ReLU input or max-pool gap is from its kink, in float32
        /// rounding deviations (nil: the model has neither); docs/testing.md explains it.
        let kinkMargin: Double?

        enum CodingKeys: String, CodingKey {
            case config, state, input, labels, direction, modes
            case kinkMargin = "kink_margin_float32_deviations"
            case parameterCount = "parameter_count"
            case trainingEqualsEvaluation = "training_equals_evaluation"
        }

        /// PyTorch's results for `mode` ("training" falls back to "evaluation" for models without
        /// BatchNorm, where PyTorch gives identical results in both modes).
        func results(_ mode: String) throws -> ModeGolden {
            if let r = modes[mode] { return r }
            if mode == "training", trainingEqualsEvaluation, let r = modes["evaluation"] { return r }
            throw CocoaError(.coderValueNotFound, userInfo: [NSDebugDescriptionErrorKey: "\(config.name) has no \(mode) golden"])
        }
    }

    /// A tensor the generator drew: value[i] = center + scale·(2uᵢ − 1) (see `SplitMixRecipe.unitUniform`),
    /// with a checksum of what PyTorch used.
    struct DrawnTensor: Decodable {
        let name: String
        let kind: String?
        let shape: [Int]
        let seed: UInt64
        let center: Double
        let scale: Double
        let first: Double
        let last: Double
        let sum: Double

        var values: [Double] {
            let count = shape.reduce(1, *)
            return SplitMixRecipe.unitUniform(seed: seed, count: count).map { center + scale * $0 }
        }

        /// The values in float64, after checking them against the generator's checksum (a mismatch
        /// means this decoder and the generator disagree, not that Sharp is wrong).
        func tensor() throws -> Tensor {
            let v = values
            guard v.first == first, v.last == last, ModelGoldens.relativeError(v.reduce(0, +), sum) < 1e-9 else {
                throw CocoaError(.coderReadCorrupt, userInfo: [NSDebugDescriptionErrorKey:
                    "\(name): redrawn values (first \(v.first ?? .nan), last \(v.last ?? .nan)) do not match the generator's checksum"])
            }
            return Tensor(shape: shape, scalars: v, dtype: .float64)
        }
    }

    struct ModeGolden: Decodable {
        let logits: ResultTensor
        let loss: Double
        let gradients: [String: ResultTensor]
        let hvp: [String: ResultTensor]
        let vHv: Double
        /// Training mode: every BatchNorm buffer after the forward pass.
        let updatedBuffers: [String: ResultTensor]?

        enum CodingKeys: String, CodingKey {
            case logits, loss, gradients, hvp, vHv
            case updatedBuffers = "updated_buffers"
        }
    }

    /// A PyTorch result tensor: `data` in full, or (large tensors) a `summary`.
    struct ResultTensor: Decodable {
        struct Summary: Decodable {
            struct Probe: Decodable {
                let seed: UInt64
                let dot: Double
            }
            let maxAbs: Double
            let l2: Double
            /// Flat indices (always including the argmax of |b|) and the values there.
            let indices: [Int]
            let values: [Double]
            let probes: [Probe]
            enum CodingKeys: String, CodingKey {
                case l2, indices, values, probes
                case maxAbs = "max_abs"
            }
        }

        let shape: [Int]
        let data: [Double]?
        let summary: Summary?

        /// Relative error of `actual` against this reference.
        ///
        /// Full tensors: max|a − b| / max|b|. Summaries: the largest of that metric over the sampled
        /// elements (divided by the true max|b|), |max|a| − max|b|| / max|b|, and for each probe r
        /// |⟨a,r⟩ − ⟨b,r⟩| / (‖b‖₂·rms(r)) (≈ ‖a − b‖₂/‖b‖₂ for an error not orthogonal to r).
        func relativeError(of actual: Tensor) -> Double {
            guard actual.shape == shape else { return .infinity }
            let a = actual.doubles
            if let data { return ModelGoldens.relativeError(a, data) }
            guard let s = summary, s.maxAbs > 0 else { return .infinity }
            var error = 0.0
            for (i, b) in zip(s.indices, s.values) { error = max(error, abs(a[i] - b) / s.maxAbs) }
            let maxAbs = a.reduce(0) { max($0, abs($1)) }
            error = max(error, abs(maxAbs - s.maxAbs) / s.maxAbs)
            for probe in s.probes {
                let r = SplitMixRecipe.unitUniform(seed: probe.seed, count: a.count)
                var dot = 0.0
                var squares = 0.0
                for (x, y) in zip(a, r) {
                    dot += x * y
                    squares += y * y
                }
                let rms = (squares / Double(r.count)).squareRoot()
                error = max(error, abs(dot - probe.dot) / (s.l2 * rms))
            }
            return error
        }
    }
}
