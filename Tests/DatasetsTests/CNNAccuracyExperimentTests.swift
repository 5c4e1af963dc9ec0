import Autodiff
import Foundation
import Tensor
import Testing

@testable import Datasets

/// How well a small CNN does on `bus-synth` (target: roughly 80–92% test accuracy, docs/datasets.md
/// §bus-synth). A minute or two of training, so opt-in: `SHARP_DATASETS_CNN=1 swift test … --filter CNN`.
/// The model is a vgg-mini without biases and with a narrower head, written on Autodiff directly
/// so this suite does not depend on the NN module.
@Suite struct CNNAccuracyExperimentTests {
    static let enabled = ProcessInfo.processInfo.environment["SHARP_DATASETS_CNN"] != nil

    func logits(_ x: Var, _ p: [Var]) -> Var {
        let pool = PoolingOptions(kernel: 2), same = ConvolutionOptions(padding: 1)
        var h = x.conv2d(p[0], options: same).relu().maxPool2d(pool)
        h = h.conv2d(p[1], options: same).relu().maxPool2d(pool)
        h = h.conv2d(p[2], options: same).relu().maxPool2d(pool)
        let n = h.shape[0]
        return h.reshaped([n, h.count / n]).linear(weight: p[3], bias: p[4]).relu().linear(weight: p[5], bias: p[6])
    }

    @Test(.enabled(if: enabled)) func smallCNNReachesTheIntendedAccuracyBand() throws {
        let d = TestData.defaultDataset
        var rng = RandomGenerator(seed: 11)
        func kaiming(_ shape: [Int], fanIn: Int) -> Tensor {
            rng.normal(shape: shape, standardDeviation: (2 / Double(fanIn)).squareRoot())
        }
        var p = [
            kaiming([16, 1, 3, 3], fanIn: 9), kaiming([32, 16, 3, 3], fanIn: 144), kaiming([64, 32, 3, 3], fanIn: 288),
            kaiming([64, 4096], fanIn: 4096), Tensor(zeros: [64]), kaiming([2, 64], fanIn: 64), Tensor(zeros: [2]),
        ]
        var adam = LogisticRegressionTests.Adam(p, learningRate: 1e-3)
        let test = d.batch(d.testIndices)
        var best = 0.0
        for epoch in 0..<15 {
            let start = Date()
            for batch in d.trainingBatches(batchSize: 32, seed: 5, epoch: epoch) {
                let step = try valueAndGradient(at: p) { v in
                    logits(Var(batch.images), v).crossEntropy(labels: batch.labels)
                }
                p = adam.update(p, step.gradient)
            }
            let scores = logits(Var(test.images), p.map { Var($0) }).value.doubles
            let correct = test.labels.indices.filter {
                (scores[2 * $0 + 1] > scores[2 * $0] ? 1 : 0) == test.labels[$0]
            }.count
            let accuracy = Double(correct) / Double(test.labels.count)
            best = max(best, accuracy)
            print(
                String(
                    format: "cnn epoch %2d: test accuracy %.3f (%.1f s)", epoch + 1, accuracy,
                    Date().timeIntervalSince(start)))
        }
        #expect(best > 0.78 && best < 0.95)
    }
}
