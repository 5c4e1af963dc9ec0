import Autodiff
import NN
import PluginHost
import Tensor

/// The workloads the benchmark times: zoo models at batch 16 on 1×64×64 inputs, two classes.
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

        /// Evaluation-mode loss (running statistics), as the Hessian metrics compute it.
        func evaluationLoss(_ p: [Var]) -> Var {
            model.logits(Var(input), parameters: p, mode: .evaluation).logits.crossEntropy(labels: labels)
        }
    }

    static let names = ["mlp", "vgg-mini", "resnet-mini", "vit-tiny"]

    static func network(_ name: String, batch: Int = 16) -> Network {
        let model = try! ModelZoo.build(ModelConfiguration(name: name, seed: 1))  // names are the zoo's own
        var rng = RandomGenerator(seed: 2)
        return Network(name: name, model: model, input: rng.normal(shape: [batch, 1, 64, 64]), labels: (0..<batch).map { $0 % 2 })
    }

    /// One SAM step through the real plugins (`sam` over `adam`, as `sharp train` runs it): the
    /// plugin asks for the gradient at w and at w + e, then Adam updates the flat buffer in place.
    struct SAMStep {
        let optimizer: LoadedOptimizer
        let weights: Tensor
        let shapes: [[Int]]

        init(network: Network, registry: PluginRegistry) throws {
            shapes = network.model.parameters.map(\.shape)
            let layout = zip(network.model.parameterNames, shapes).map { ParameterLayoutEntry(name: $0, shape: $1) }
            optimizer = try LoadedOptimizer(registry: registry, name: "sam", layout: layout, hyperparameters: ["lr": .number(1e-4)])
            weights = network.model.parameterVector.copy()
        }

        func callAsFunction(_ network: Network) throws {
            let buffer = UnsafeMutableBufferPointer(start: weights.pointer(Float.self), count: weights.count)
            let shapes = self.shapes
            _ = try optimizer.step(parameters: buffer) { p, g, _ in
                let flat = Tensor(zeros: [p.count])
                flat.pointer(Float.self).update(from: p.baseAddress!, count: p.count)
                var offset = 0
                let views = shapes.map { shape -> Tensor in
                    defer { offset += Shape.count(shape) }
                    return Tensor(shape: shape, storage: flat.storage, offset: offset)
                }
                let result = try valueAndGradient(at: views, of: network.trainingLoss)
                var position = 0
                for t in result.gradient {
                    (g.baseAddress! + position).update(from: t.pointer(Float.self), count: t.count)
                    position += t.count
                }
                return result.value
            }
        }
    }
}

import Glibc
