import Autodiff
import Datasets
import NN
import PluginHost
import Tensor
import Training

/// The workloads the benchmark times: zoo models at batch 16 on 1×64×64 inputs (the minis) or
/// 3×224×224 inputs (the full-size models, `--full`), two classes.
enum Workloads {
    struct Network {
        let name: String
        let model: Model
        let input: Tensor
        let labels: [Int]

        /// Training-mode loss (batch statistics), as a trainer computes it.
        func trainingLoss(_ p: [Var]) -> Var {
            model.logits(Var(input), parameters: p, mode: .training).logits.crossEntropy(labels: labels)
        }

        /// The HVP direction every figure uses: N(0, 1) per parameter, seed 9.
        var direction: [Tensor] {
            var rng = RandomGenerator(seed: 9)
            return model.parameters.map { rng.normal(shape: $0.shape) }
        }

        /// Evaluation-mode loss (running statistics), as the Hessian metrics compute it.
        func evaluationLoss(_ p: [Var]) -> Var {
            model.logits(Var(input), parameters: p, mode: .evaluation).logits.crossEntropy(labels: labels)
        }
    }

    static let names = ["mlp", "vgg-mini", "resnet-mini", "vit-tiny", "swin-mini"]
    /// The full-size models, as torchvision trains them: 3×224×224.
    static let fullNames = ["resnet50", "vgg16", "vit-b16", "swin-t"]

    static func network(_ name: String, batch: Int = 16) -> Network {
        let full = ModelZoo.isFullSize(name)
        let (channels, size) = full ? (3, 224) : (1, 64)
        // Names are the zoo's own.
        let model = try! ModelZoo.build(ModelConfiguration(name: name, inputChannels: channels, inputSize: size, seed: 1))
        var rng = RandomGenerator(seed: 2)
        return Network(
            name: name, model: model, input: rng.normal(shape: [batch, channels, size, size]), labels: (0..<batch).map { $0 % 2 })
    }

    /// One SAM step as `sharp train` takes it: the real plugins (`sam` over `adam`) call the
    /// trainer's own gradient oracle at w and at w + e, then Adam updates the flat buffer in place.
    /// Each call returns the step's wall time and the part of it spent inside the oracle.
    struct SAMStep {
        let optimizer: LoadedOptimizer
        let weights: Tensor
        let evaluator: GradientEvaluator
        let batch: MiniBatch

        init(network: Network, registry: PluginRegistry) throws {
            let layout = zip(network.model.parameterNames, network.model.parameters).map { ParameterLayoutEntry(name: $0, shape: $1.shape) }
            optimizer = try LoadedOptimizer(registry: registry, name: "sam", layout: layout, hyperparameters: ["lr": .number(1e-4)])
            weights = network.model.parameterVector.copy()
            evaluator = GradientEvaluator(model: network.model)
            batch = MiniBatch(images: network.input, labels: network.labels, indices: Array(network.labels.indices))
        }

        func callAsFunction(_ network: Network) throws -> (step: Double, gradients: Double) {
            let buffer = UnsafeMutableBufferPointer(start: weights.pointer(Float.self), count: weights.count)
            let (evaluator, batch) = (self.evaluator, self.batch)
            var inside = 0.0
            let start = Timing.now()
            _ = try optimizer.step(parameters: buffer) { p, g, _ in
                let entered = Timing.now()
                defer { inside += Timing.now() - entered }
                return try evaluator.evaluate(model: network.model, batch: batch, dropoutSeed: 1, parameters: p, gradient: g).loss
            }
            return (Timing.now() - start, inside)
        }
    }
}

import Glibc
