import Checkpoint
import Foundation
import PluginHost
import Scoring
import TestSupport
import Testing

/// `sharp import` against PyTorch (tools/gen_import_goldens.py): a torchvision resnet18 saved
/// from a DataParallel state dict and a ViT saved in float16 are imported by the built `sharp`,
/// then scored in float32 from the checkpoint it wrote. Loss, gradient norm, H·v and λmax match
/// PyTorch's float64 values to 1e-4.
@Suite(.serialized) struct ImportGoldenTests {
    static let tolerance = 1e-4

    @Test(arguments: ["resnet18", "vit"])
    func importedModelScoresAsInPyTorch(_ name: String) throws {
        let golden = try #require(try ImportFixtures.goldens().models[name])
        let store = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let weights = try ImportFixtures.weightsFile(name, golden: golden, in: store)
        let sharp = try #require(BuiltExecutable.path("sharp"), "build sharp first")
        let result = try BuiltExecutable.run(
            sharp, ["import", weights, "--model", golden.model, "--data", ImportFixtures.path("data.npz"), "--store", store]
                + golden.flags)
        #expect(result.status == 0, "sharp import: \(result.stderr)")
        print(result.stdout, terminator: "")
        let checkpoint = try #require(
            try FileManager.default.contentsOfDirectory(atPath: store).first { $0.hasSuffix(Checkpoint.fileExtension) })

        let subject = try ScoringSubject(path: "\(store)/\(checkpoint)")
        #expect(subject.manifest.provenance?.source == "imported")
        #expect(subject.manifest.hasOptimizerState == false)
        var options = EvaluationOptions()
        options.batchSize = 8
        let scorer = try Scorer(subject: subject, options: options, registry: PluginRegistry(searchPath: .standard(store: nil, environment: [:])))
        let context = scorer.context
        let ids = context.evaluationBatches
        #expect(context.sampleCount(ids) == 8)
        let n = context.weights.count
        #expect(n == golden.parameters)

        let (loss, _) = try context.loss(ids, at: nil)
        var gradient = [Double](repeating: 0, count: n)
        _ = try gradient.withUnsafeMutableBufferPointer { try context.gradient(ids, at: nil, into: $0) }
        let direction = SplitMixRecipe.unitUniform(seed: golden.hvp.directionSeed, count: n)
        var product = [Double](repeating: 0, count: n)
        try direction.withUnsafeBufferPointer { v in
            try product.withUnsafeMutableBufferPointer { try context.hessianVectorProduct(ids, at: nil, vector: v, into: $0) }
        }
        let eigen = try scorer.run(MetricRequest(parsing: "hessian-eigen:k=1,tol=1e-7"))
        let lambdaMax = try #require(eigen.scalars.first { $0.name == "lambda_max" }).value

        func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
        let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let checks: [(String, Double, Double)] = [
            ("loss", loss, golden.loss), ("gradient norm", norm(gradient), golden.gradientNorm),
            ("|H·v|", norm(product), golden.hvp.norm),
            ("v·H·v", zip(product, direction).reduce(0) { $0 + $1.0 * $1.1 }, golden.hvp.dotDirection),
            ("λmax", lambdaMax, golden.lambdaMax),
        ]
        for (what, sharpValue, torchValue) in checks {
            print("\(name) \(what): Sharp \(sharpValue), PyTorch \(torchValue), relative error \(relative(sharpValue, torchValue))")
            #expect(relative(sharpValue, torchValue) <= Self.tolerance, "\(name) \(what): \(sharpValue) vs PyTorch \(torchValue)")
        }
        let scale = golden.hvp.values.map(abs).max() ?? 1
        for (i, expected) in zip(golden.hvp.indices, golden.hvp.values) {
            #expect(abs(product[i] - expected) <= Self.tolerance * scale, "\(name) (H·v)[\(i)]: \(product[i]) vs \(expected)")
        }
    }
}
