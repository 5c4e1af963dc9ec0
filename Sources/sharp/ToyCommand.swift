import ArgumentParser
import Autodiff
import Foundation
import Tensor

/// `sharp toy`: the interim demo until `sharp train` exists (issue 5).
struct ToyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toy",
        abstract: "Train the mlp (4096→256→256→2) on toy 64×64 images and report its top Hessian eigenvalue.",
        discussion: """
            Images are a bright blob (class 0) or a ring (class 1) at a random place in speckle noise.
            Training uses Adam (lr 1e-3, batch 16). The top Hessian eigenvalue of the training loss
            is then found by power iteration on exact Hessian-vector products.
            """
    )

    @Option(help: "Training images (half of each class).") var images = 512
    @Option(help: "Epochs.") var epochs = 5
    @Option(help: "Mini-batch size.") var batchSize = 16
    @Option(help: "Adam learning rate.") var lr = 1e-3
    @Option(help: "Random seed (data, initialisation, shuffling).") var seed: UInt64 = 0
    @Option(help: "Power-iteration steps for the top Hessian eigenvalue.") var powerIterations = 20

    func validate() throws {
        guard images >= 2 * batchSize else { throw ValidationError("--images must be at least twice --batch-size") }
        guard epochs > 0, batchSize > 0, lr > 0 else { throw ValidationError("--epochs, --batch-size and --lr must be positive") }
    }

    func run() throws {
        var rng = RandomGenerator(seed: seed)
        let data = ToyProblem.images(count: images, rng: &rng)
        var model = ToyProblem.initialMLP(rng: &rng)
        var adam = ToyProblem.Adam(parameters: model, learningRate: lr)
        print("sharp toy: mlp on \(images) toy 64×64 images, Adam lr \(lr), batch \(batchSize), \(epochs) epochs")
        let start = Date()
        for epoch in 1...epochs {
            let order = rng.permutation(images)
            var (lossSum, correct) = (0.0, 0)
            for batchStart in stride(from: 0, to: images - batchSize + 1, by: batchSize) {
                let batch = ToyProblem.batch(data, Array(order[batchStart..<(batchStart + batchSize)]))
                let logits = ToyProblem.logits(Var(batch.x), model.map(Var.init)).value
                correct += zip(ToyProblem.argmax(logits), batch.labels).filter { $0 == $1 }.count
                let step = try valueAndGradient(at: model) { p in
                    ToyProblem.logits(Var(batch.x), p).crossEntropy(labels: batch.labels)
                }
                lossSum += step.value * Double(batchSize)
                model = adam.step(model, gradient: step.gradient)
            }
            let seen = images / batchSize * batchSize
            print(String(format: "epoch %2d  loss %.4f  train accuracy %5.1f%%", epoch, lossSum / Double(seen), 100 * Double(correct) / Double(seen)))
        }
        print(String(format: "trained in %.1f s", Date().timeIntervalSince(start)))

        let probe = ToyProblem.batch(data, Array(0..<min(images, 128)))
        let linearization = try Linearization(at: model) { p in ToyProblem.logits(Var(probe.x), p).crossEntropy(labels: probe.labels) }
        let (lambda, residual) = ToyProblem.topEigenvalue(linearization, iterations: powerIterations, rng: &rng)
        print(String(format: "top Hessian eigenvalue of the loss on %d training images: %.5g (residual %.2g, %d exact HVPs)",
            probe.labels.count, lambda, residual, linearization.productCount))
    }
}
