import Autodiff
import Foundation
import Tensor

/// Data, model and optimiser of `sharp toy`. Interim: the data sets, model zoo and optimizer
/// plugins replace all of this (issues 3–5).
enum ToyProblem {
    /// Blobs (label 0) and rings (label 1) of random radius and place, in noise: [N, 4096], labels.
    static func images(count: Int, rng: inout RandomGenerator) -> (x: Tensor, labels: [Int]) {
        let size = 64
        let noise = rng.normal(shape: [count, size * size], standardDeviation: 0.3).doubles
        let places = rng.uniform(shape: [count, 3], dtype: .float64, low: 0, high: 1).doubles
        var pixels = [Double](repeating: 0, count: count * size * size)
        var labels: [Int] = []
        for n in 0..<count {
            let label = n % 2
            labels.append(label)
            let (cx, cy) = (16 + 32 * places[3 * n], 16 + 32 * places[3 * n + 1])
            let radius = 6 + 6 * places[3 * n + 2]
            for i in 0..<size {
                for j in 0..<size {
                    let d = ((Double(i) - cy) * (Double(i) - cy) + (Double(j) - cx) * (Double(j) - cx)).squareRoot()
                    let shape = label == 0 ? Foundation.exp(-d * d / (2 * radius * radius)) : Foundation.exp(-(d - radius) * (d - radius) / 4)
                    pixels[(n * size + i) * size + j] = shape + noise[(n * size + i) * size + j]
                }
            }
        }
        return (Tensor(shape: [count, size * size], scalars: pixels, dtype: .float32), labels)
    }

    static func batch(_ data: (x: Tensor, labels: [Int]), _ rows: [Int]) -> (x: Tensor, labels: [Int]) {
        let width = data.x.shape[1]
        let indices = rows.flatMap { r in (0..<width).map { r * width + $0 } }
        return (data.x.gathered(flatIndices: indices, shape: [rows.count, width]), rows.map { data.labels[$0] })
    }

    /// Kaiming-normal weights, zero biases (PyTorch's defaults differ slightly; fine for a demo).
    static func initialMLP(rng: inout RandomGenerator) -> [Tensor] {
        func layer(_ out: Int, _ inputs: Int) -> [Tensor] {
            [rng.normal(shape: [out, inputs], standardDeviation: (2 / Double(inputs)).squareRoot()), Tensor(zeros: [out])]
        }
        return layer(256, 4096) + layer(256, 256) + layer(2, 256)
    }

    static func logits(_ x: Var, _ p: [Var]) -> Var {
        x.linear(weight: p[0], bias: p[1]).relu().linear(weight: p[2], bias: p[3]).relu().linear(weight: p[4], bias: p[5])
    }

    static func argmax(_ logits: Tensor) -> [Int] {
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let values = logits.doubles
        return (0..<rows).map { r in (0..<classes).max { values[r * classes + $0] < values[r * classes + $1] }! }
    }

    /// Adam (Kingma & Ba 2015) with bias correction, ε added after the square root.
    struct Adam {
        var firstMoment: [Tensor]
        var secondMoment: [Tensor]
        let learningRate: Double
        var step = 0

        init(parameters: [Tensor], learningRate: Double) {
            firstMoment = parameters.map { Tensor(zeros: $0.shape, dtype: $0.dtype) }
            secondMoment = firstMoment
            self.learningRate = learningRate
        }

        mutating func step(_ parameters: [Tensor], gradient: [Tensor]) -> [Tensor] {
            step += 1
            let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8)
            let correction1 = 1 - Foundation.pow(beta1, Double(step))
            let correction2 = 1 - Foundation.pow(beta2, Double(step))
            return parameters.indices.map { i in
                firstMoment[i] = firstMoment[i] * beta1 + gradient[i] * (1 - beta1)
                secondMoment[i] = secondMoment[i] * beta2 + gradient[i].squared() * (1 - beta2)
                let denominator = (secondMoment[i] / correction2).sqrt() + epsilon
                return parameters[i] - (firstMoment[i] / correction1) / denominator * learningRate
            }
        }
    }

    /// Power iteration on exact HVPs: the eigenvalue of largest magnitude and ‖Hv − λv‖.
    static func topEigenvalue(_ l: Linearization, iterations: Int, rng: inout RandomGenerator) -> (Double, Double) {
        func normalized(_ v: [Tensor]) -> [Tensor] {
            let norm = v.reduce(0) { $0 + $1.dot($1) }.squareRoot()
            return v.map { $0 / norm }
        }
        var v = normalized(l.gradient.map { rng.normal(shape: $0.shape, dtype: $0.dtype) })
        var lambda = 0.0
        var residual = Double.infinity
        for _ in 0..<iterations {
            let hv = l.hessianVectorProduct(v)
            lambda = zip(v, hv).reduce(0) { $0 + $1.0.dot($1.1) }
            residual = zip(hv, v).reduce(0) { acc, pair in let r = pair.0 - pair.1 * lambda; return acc + r.dot(r) }.squareRoot()
            v = normalized(hv)
        }
        return (lambda, residual)
    }
}
