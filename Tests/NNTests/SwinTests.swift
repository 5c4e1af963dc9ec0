import Autodiff
import Foundation
@testable import NN
import Tensor
import Testing

/// Swin Transformer against torchvision 0.29 (goldens written by tools/gen_swin_keys.py).
struct SwinTests {
    // MARK: torchvision swin_t layout

    @Test func swinTHasThePublishedParameterCount() throws {
        let model = try ModelZoo.build(ModelConfiguration(name: "swin-t", inputChannels: 3, inputSize: 224, classes: 1000))
        #expect(model.parameterCount == 28_288_354)
    }

    @Test func swinTStateDictKeysAndShapesAreTorchvisions() throws {
        let golden = try SwinGoldenFile.load("swin_t_keys", as: SwinKeyList.self)
        let model = try ModelZoo.build(ModelConfiguration(name: "swin-t", inputChannels: 3, inputSize: 224, classes: 1000))
        let ours = model.entries.map { SwinKeyList.Key(name: $0.name, shape: $0.shape) }
        #expect(golden.parameters == model.parameterCount)
        #expect(ours.count == golden.keys.count)
        for (mine, theirs) in zip(ours, golden.keys) where mine != theirs {
            Issue.record("first mismatch: \(mine.name) \(mine.shape) vs torchvision \(theirs.name) \(theirs.shape)")
            break
        }
        // The index buffers are buffers (not trained), everything else a parameter.
        let buffers = model.entries.filter { $0.kind == .buffer }.map(\.name)
        #expect(buffers.count == 12 && buffers.allSatisfy { $0.hasSuffix("attn.relative_position_index") })
    }

    // MARK: swin-mini

    @Test func miniProducesLogitsInBothModes() throws {
        let model = try ModelZoo.build(ModelConfiguration(name: "swin-mini"))
        var rng = RandomGenerator(seed: 5)
        let x = rng.normal(shape: [2, 1, 64, 64])
        let parameters = model.parameters.map(Var.init)
        let training = model.logits(Var(x), parameters: parameters, mode: .training).logits
        let evaluation = model.logits(Var(x), parameters: parameters, mode: .evaluation).logits
        #expect(training.shape == [2, 2] && evaluation.shape == [2, 2])
        #expect(training.value.isFinite && evaluation.value.isFinite)
        // swin-mini has no dropout and stochastic depth 0: both modes compute the same function.
        #expect(training.value.doubles == evaluation.value.doubles)
    }

    @Test func miniBufferIsTorchvisionsRelativePositionIndex() throws {
        let golden = try SwinGoldenFile.load("swin_mini", as: SwinReferences.self)
        let model = try ModelZoo.build(ModelConfiguration(name: "swin-mini"))
        for (name, tensor) in model.stateDict where name.hasSuffix("relative_position_index") {
            #expect(tensor.doubles == golden.mini.stateDict[name]?.data, "\(name)")
        }
    }

    /// 16×16 and 8×8 token maps, both with active shifts: masks, rolls, bias, merging.
    @Test func miniMatchesTorchvision() throws {
        let golden = try SwinGoldenFile.load("swin_mini", as: SwinReferences.self)
        let model = try loaded(ModelConfiguration(name: "swin-mini"), golden.mini)
        try compare(model, golden.mini.cases[0], expectedInput: [2, 1, 64, 64])
    }

    /// 20×20: 5×5 padded to 8×8, merging pads 5 to 6, stage 2 (3×3 in a 4×4 window) unshifted.
    /// 20×36: stage 2 is 3×5 padded to 4×8, so only the width is shifted.
    @Test(arguments: [1, 2])
    func miniMatchesTorchvisionWhenPadding(_ caseIndex: Int) throws {
        let golden = try SwinGoldenFile.load("swin_mini", as: SwinReferences.self)
        let reference = golden.mini.cases[caseIndex]
        let configuration = ModelConfiguration(name: "swin-mini")
        let model = try loaded(configuration, golden.mini)
        try compare(model, reference, expectedInput: reference.input.shape)
    }

    /// Window 3 (shift 1) on 28×28: 7×7 padded to 9×9, then 4×4 padded to 6×6.
    @Test func oddWindowMatchesTorchvision() throws {
        let golden = try SwinGoldenFile.load("swin_mini", as: SwinReferences.self)
        let layout = SwinTransformer.Layout(
            patch: 4, dimension: 8, depths: [2, 2], heads: [1, 2], window: 3, mlpRatio: 4, stochasticDepth: 0)
        let configuration = ModelConfiguration(name: "swin-window3", inputSize: 28)
        let builder = ModelBuilder(seed: 0, dtype: .float64)
        var model = Model(name: configuration.name, builder: builder, root: try SwinTransformer.make(builder, configuration, layout))
        try model.load(stateDict: golden.window3.stateDict.mapValues(\.tensor))
        try compare(model, golden.window3.cases[0], expectedInput: [2, 1, 28, 28])
    }

    @Test func inputSmallerThanAPatchIsRejected() {
        #expect(throws: ModelError.self) { try ModelZoo.build(ModelConfiguration(name: "swin-mini", inputSize: 3)) }
    }

    // MARK: pieces

    @Test func stochasticDepthDropsWholeSamplesInTrainingOnly() {
        let x = Var(Tensor(repeating: 1, shape: [64, 2, 2, 3], dtype: .float64))
        let layer = StochasticDepth(0.5)
        let evaluation = ForwardContext(parameters: [], buffers: [], mode: .evaluation, seed: 3)
        #expect(layer(x, evaluation).value.doubles == x.value.doubles)
        let y = layer(x, ForwardContext(parameters: [], buffers: [], mode: .training, seed: 3)).value
        let replay = layer(x, ForwardContext(parameters: [], buffers: [], mode: .training, seed: 3)).value
        #expect(y.doubles == replay.doubles)
        let perSample = (0..<64).map { i in Set(y.doubles[(i * 12)..<((i + 1) * 12)]) }
        #expect(perSample.allSatisfy { $0 == [0] || $0 == [2] })  // kept samples are scaled by 1/(1−p)
        let kept = perSample.filter { $0 == [2] }.count
        #expect(kept > 16 && kept < 48)
    }

    @Test func swinTRatesGrowLinearlyToTwoTenths() throws {
        let builder = ModelBuilder(seed: 0)
        let root = try SwinTransformer.make(
            builder, ModelConfiguration(name: "swin-t", inputChannels: 3, inputSize: 224, classes: 10), SwinTransformer.tiny)
        let network = try #require(root as? SwinTransformer.Network)
        let rates = network.features.compactMap { $0 as? Sequential }.flatMap(\.layers)
            .compactMap { ($0 as? SwinTransformer.Block)?.stochasticDepth.probability }
        #expect(rates.count == 12)
        #expect(rates.first == 0 && abs(rates.last! - 0.2) < 1e-15 && abs(rates[6] - 0.2 * 6 / 11) < 1e-15)
    }

    // MARK: helpers

    private func loaded(_ configuration: ModelConfiguration, _ reference: SwinReferences.Model) throws -> Model {
        var model = try ModelZoo.build(configuration, dtype: .float64)
        try model.load(stateDict: reference.stateDict.mapValues(\.tensor))
        return model
    }

    /// Logits (≤ 1e-9 relative), loss and every gradient stored for the case (≤ 1e-8 relative to
    /// the tensor's largest entry).
    private func compare(_ model: Model, _ reference: SwinReferences.Case, expectedInput: [Int]) throws {
        #expect(reference.input.shape == expectedInput)
        let x = reference.input.tensor
        let logits = model.predict(x)
        #expect(relativeError(logits, reference.logits.tensor) <= 1e-9, "\(reference.name) logits \(logits.doubles)")
        let (loss, gradient) = try valueAndGradient(at: model.parameters) { p in
            model.logits(Var(x), parameters: p, mode: .evaluation).logits.crossEntropy(labels: reference.labels)
        }
        #expect(abs(loss - reference.loss) <= 1e-9 * abs(reference.loss), "\(reference.name) loss \(loss) vs \(reference.loss)")
        var checked = 0
        for (name, g) in zip(model.parameterNames, gradient) {
            guard let expected = reference.grads[name] else { continue }
            checked += 1
            let error = relativeError(g, expected.tensor)
            #expect(error <= 1e-8, "\(reference.name) gradient of \(name): relative error \(error)")
        }
        #expect(checked == reference.grads.count)
    }

    private func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        guard a.shape == b.shape else { return .infinity }
        let scale = b.doubles.map(abs).max() ?? 0
        let difference = zip(a.doubles, b.doubles).map { abs($0 - $1) }.max() ?? 0
        return scale > 0 ? difference / scale : difference
    }
}

// MARK: golden files (names prefixed so they cannot clash with other NNTests helpers)

private enum SwinGoldenFile {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Goldens") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Goldens/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// swin_t_keys.json: torchvision `swin_t().state_dict()` keys and shapes, in order.
private struct SwinKeyList: Decodable {
    struct Key: Decodable, Equatable {
        let name: String
        let shape: [Int]
        init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
        /// Stored as a `[name, shape]` pair.
        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            name = try pair.decode(String.self)
            shape = try pair.decode([Int].self)
        }
    }
    let generator: String
    let parameters: Int
    let keys: [Key]
}

private struct SwinTensor: Decodable {
    let shape: [Int]
    let data: [Double]
    var tensor: Tensor { Tensor(shape: shape, scalars: data, dtype: .float64) }
}

/// swin_mini.json: float64 torchvision references (weights, inputs, logits, loss, gradients).
private struct SwinReferences: Decodable {
    struct Case: Decodable {
        let name: String
        let input: SwinTensor
        let labels: [Int]
        let logits: SwinTensor
        let loss: Double
        let grads: [String: SwinTensor]
    }
    struct Model: Decodable {
        let stateDict: [String: SwinTensor]
        let cases: [Case]
        enum CodingKeys: String, CodingKey {
            case stateDict = "state_dict"
            case cases
        }
    }
    let generator: String
    let mini: Model
    let window3: Model
}

