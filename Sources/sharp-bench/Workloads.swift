import Autodiff
import NN
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

    /// One SAM step (Foret et al. 2021) with Adam as the base optimizer, over flat parameter
    /// vectors: gradient at w, ascend to w + ρ·g/‖g‖, gradient there, Adam update with it.
    struct SAMStep {
        var firstMoment: Tensor
        var secondMoment: Tensor
        var step = 0
        let rho = 0.05, learningRate = 1e-4, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8

        init(count: Int) {
            firstMoment = Tensor(zeros: [count])
            secondMoment = Tensor(zeros: [count])
        }

        mutating func callAsFunction(_ network: Network, _ w: Tensor, shapes: [[Int]]) throws -> Tensor {
            let g = try flatGradient(network, w, shapes: shapes)
            let norm = g.dot(g).squareRoot()
            let g2 = try flatGradient(network, w + g * (rho / max(norm, 1e-12)), shapes: shapes)
            step += 1
            firstMoment = firstMoment * beta1 + g2 * (1 - beta1)
            secondMoment = secondMoment * beta2 + g2.squared() * (1 - beta2)
            let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
            return w - (firstMoment / c1) / ((secondMoment / c2).sqrt() + epsilon) * learningRate
        }

        private func flatGradient(_ network: Network, _ w: Tensor, shapes: [[Int]]) throws -> Tensor {
            var offset = 0
            let parts = shapes.map { shape -> Tensor in
                defer { offset += Shape.count(shape) }
                return Tensor(shape: shape, storage: w.storage, offset: w.offset + offset)
            }
            let gradient = try valueAndGradient(at: parts, of: network.trainingLoss).gradient
            return Tensor.concatenate(gradient.map { $0.reshaped([$0.count]) }, axis: 0)
        }
    }
}

import Glibc
