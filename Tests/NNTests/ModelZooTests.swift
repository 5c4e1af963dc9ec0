import Autodiff
import NN
import Tensor
import Testing

struct ModelZooTests {
    /// Published parameter counts of the full configurations (1000 classes, 3×224×224).
    @Test(arguments: [("resnet50", 25_557_032), ("vgg16", 138_357_544), ("vit-b16", 86_567_656)])
    func fullConfigurationsHaveThePublishedParameterCounts(_ expected: (String, Int)) throws {
        let model = try ModelZoo.build(ModelConfiguration(name: expected.0, inputChannels: 3, inputSize: 224, classes: 1000))
        #expect(model.parameterCount == expected.1, "\(expected.0): \(model.parameterCount) parameters")
    }

    @Test(arguments: ["mlp", "vgg-mini", "resnet-mini", "vit-tiny"])
    func miniModelsProduceLogitsForABatch(_ name: String) throws {
        let model = try ModelZoo.build(ModelConfiguration(name: name))
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal(shape: [3, 1, 64, 64])
        for mode in [Mode.training, .evaluation] {
            let logits = model.logits(Var(x), parameters: model.parameters.map(Var.init), mode: mode).logits
            #expect(logits.shape == [3, 2])
            #expect(logits.value.isFinite)
        }
    }

    @Test func unknownModelNamesTheChoices() {
        #expect(throws: ModelError.unknownModel("vgg-maxi")) { try ModelZoo.build(ModelConfiguration(name: "vgg-maxi")) }
        #expect("\(ModelError.unknownModel("x"))".contains("vgg-mini"))
    }

    @Test func buildingIsDeterministicForASeed() throws {
        let a = try ModelZoo.build(ModelConfiguration(name: "resnet-mini", seed: 3))
        let b = try ModelZoo.build(ModelConfiguration(name: "resnet-mini", seed: 3))
        let c = try ModelZoo.build(ModelConfiguration(name: "resnet-mini", seed: 4))
        #expect(a.parameterVector.floats == b.parameterVector.floats)
        #expect(a.parameterVector.floats != c.parameterVector.floats)
    }
}

struct StateLoadingTests {
    /// Swin's relative position index drives a gather that trusts its values: a file with another
    /// index is refused by name instead of being loaded.
    @Test func aForeignRelativePositionIndexIsRefused() throws {
        var model = try ModelZoo.build(ModelConfiguration(name: "swin-mini"))
        var state = Dictionary(uniqueKeysWithValues: model.stateDict)
        let key = try #require(state.keys.first { $0.hasSuffix("relative_position_index") })
        try model.load(stateDict: state)  // its own index loads
        let own = try #require(state[key])
        state[key] = Tensor(shape: own.shape, scalars: own.doubles.map { $0 + 1_000_000 }, dtype: own.dtype)
        #expect(throws: ModelError.stateMismatch(model: "swin-mini", reason: "'\(key)' differs from the index of the model's window layout")) {
            try model.load(stateDict: state)
        }
    }
}
