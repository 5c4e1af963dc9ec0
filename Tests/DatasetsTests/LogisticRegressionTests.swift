import Autodiff
import Foundation
import Tensor
import Testing

@testable import Datasets

/// `bus-synth` must not be trivially separable: a linear classifier on raw pixels, trained to
/// convergence on the training split, stays well below perfect on the test split.
@Suite struct LogisticRegressionTests {
    /// Adam (Kingma & Ba 2015) with bias correction, for this test's two parameter tensors.
    struct Adam {
        var m: [Tensor], v: [Tensor], step = 0
        let learningRate: Double
        init(_ parameters: [Tensor], learningRate: Double) {
            m = parameters.map { Tensor(zeros: $0.shape) }
            v = m
            self.learningRate = learningRate
        }
        mutating func update(_ p: [Tensor], _ g: [Tensor]) -> [Tensor] {
            step += 1
            let (c1, c2) = (1 - pow(0.9, Double(step)), 1 - pow(0.999, Double(step)))
            return p.indices.map { i in
                m[i] = m[i] * 0.9 + g[i] * 0.1
                v[i] = v[i] * 0.999 + g[i].squared() * 0.001
                return p[i] - (m[i] / c1) / ((v[i] / c2).sqrt() + 1e-8) * learningRate
            }
        }
    }

    func accuracy(_ x: Tensor, _ labels: [Int], _ p: [Tensor]) -> Double {
        let logits = Var(x).linear(weight: Var(p[0]), bias: Var(p[1])).value.doubles
        let correct = labels.indices.filter { (logits[2 * $0 + 1] > logits[2 * $0] ? 1 : 0) == labels[$0] }.count
        return Double(correct) / Double(labels.count)
    }

    @Test func logisticRegressionOnRawPixelsIsWellBelowPerfect() throws {
        let d = TestData.defaultDataset
        let pixels = d.imageSize.height * d.imageSize.width
        let train = d.batch(d.trainIndices), test = d.batch(d.testIndices)
        let xTrain = train.images.reshaped([train.labels.count, pixels])
        let xTest = test.images.reshaped([test.labels.count, pixels])
        var parameters = [Tensor(zeros: [2, pixels]), Tensor(zeros: [2])]
        var adam = Adam(parameters, learningRate: 3e-3)
        var loss = 0.0
        for _ in 0..<400 {
            let step = try valueAndGradient(at: parameters) { p in
                Var(xTrain).linear(weight: p[0], bias: p[1]).crossEntropy(labels: train.labels)
            }
            loss = step.value
            parameters = adam.update(parameters, step.gradient)
        }
        let trainAccuracy = accuracy(xTrain, train.labels, parameters)
        let testAccuracy = accuracy(xTest, test.labels, parameters)
        let majority = Double(test.labels.filter { $0 == 1 }.count) / Double(test.labels.count)
        print(
            String(
                format: "logistic regression on raw pixels (400 Adam steps): train loss %.3f, train accuracy %.3f, "
                    + "test accuracy %.3f (majority class %.3f)", loss, trainAccuracy, testAccuracy, majority))
        #expect(testAccuracy < 0.97)
    }
}
