import Foundation
import PluginHost
import Scoring
import Tensor
import Testing
import Training

@testable import Study

/// Loss-landscape slices: filter normalisation as Li et al. define it, α = 0 is the checkpoint's
/// own loss, and a point of the slice equals a loss computed directly from perturbed weights.
@Suite(.serialized)
struct LandscapeTests {
    @Test func directionsAreFilterNormalisedAndSkipBiases() {
        let layout = [ParameterLayoutEntry(name: "fc.weight", shape: [3, 4]), ParameterLayoutEntry(name: "fc.bias", shape: [3]),
                      ParameterLayoutEntry(name: "conv.weight", shape: [2, 1, 2, 2])]
        let weights = (0..<23).map { Double($0 % 7) - 2.5 }
        let d = LossLandscape.filterNormalizedDirection(weights: weights, layout: layout, seed: 3, stream: 0)
        func norm(_ v: ArraySlice<Double>) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        for (offset, size) in [(0, 4), (4, 4), (8, 4), (15, 4), (19, 4)] {  // fc rows, then conv output channels
            #expect(abs(norm(d[offset..<(offset + size)]) - norm(weights[offset..<(offset + size)])) < 1e-12)
        }
        #expect(d[12..<15].allSatisfy { $0 == 0 }, "biases stay fixed")
        let again = LossLandscape.filterNormalizedDirection(weights: weights, layout: layout, seed: 3, stream: 0)
        let other = LossLandscape.filterNormalizedDirection(weights: weights, layout: layout, seed: 3, stream: 1)
        #expect(d == again && d != other)
    }

    @Test func theSliceStartsAtTheCheckpointAndMatchesADirectEvaluation() throws {
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        var plan = StudyRunTests.tinyPlan()
        plan.maxEpochs = 1
        let layout = StudyLayout(store: store, name: plan.name)
        let outcome = try StudyTrainer(plan: plan, layout: layout, registry: StudyRunTests.registry).train(plan.cells[0])
        var options = EvaluationOptions()
        options.sampleCount = nil  // the whole training split
        options.batchSize = 16
        let subject = try ScoringSubject(path: outcome.path)
        let context = try EvaluationContext(subject: subject, options: options)
        let landscape = LossLandscape(context: context)
        let direction = landscape.direction(seed: 0)
        let points = try landscape.slice(direction, alphas: [-0.5, 0, 0.5])
        let own = try context.loss(context.evaluationBatches, at: nil)
        #expect(points[1].loss == own.loss && points[1].accuracy == own.accuracy)

        // Directly: set w + 0.5·d into the model, run the whole split at once, cross-entropy by hand.
        var model = subject.model
        let perturbed = zip(context.weights, direction).map { $0 + 0.5 * $1 }
        model.setParameterVector(Tensor(shape: [perturbed.count], scalars: perturbed, dtype: .float64))
        let batch = subject.dataset.batch(subject.dataset.trainIndices)
        let logits = model.predict(batch.images).doubles
        var total = 0.0
        for (row, label) in batch.labels.enumerated() {
            let z = logits[(row * 2)..<(row * 2 + 2)]
            let top = z.max()!
            total += top + log(z.reduce(0) { $0 + exp($1 - top) }) - z[row * 2 + label]
        }
        let direct = total / Double(batch.labels.count)
        #expect(abs(points[2].loss - direct) < 1e-5 * max(1, direct), "slice \(points[2].loss) vs direct \(direct)")
        #expect(points[0].loss != points[2].loss)

        let svg = LossLandscape.figure(title: "t", slices: [("adam", "#555555", points)],
                                       surface: try landscape.surface(direction, landscape.direction(seed: 0, stream: 1),
                                                                      alphas: [-0.5, 0, 0.5], betas: [-0.5, 0, 0.5]))
        #expect(StudyFixtures.xmlError(svg.text) == nil)
        #expect(svg.text.contains("data-series=\"adam\""))
    }
}
