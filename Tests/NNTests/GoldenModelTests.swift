import Autodiff
import NN
import Tensor
import Testing

/// Sharp's zoo against PyTorch/torchvision (goldens from tools/gen_model_goldens.py):
/// full-size state_dict keys, shapes, order and parameter counts; and for every mini on fixed
/// weights and a fixed batch, logits, loss, every parameter gradient, BatchNorm running-statistics
/// updates and an exact Hessian-vector product, in float64 (≤ 1e-9 / 1e-8 relative) and float32
/// (≤ 1e-4 relative). Relative error is max|a − b| / max|b| per tensor (see `ModelGoldens.ResultTensor`).
struct GoldenModelTests {
    static let minis = ["mlp", "vgg-mini", "resnet-mini", "vit-tiny"]
    static let modes: [Mode] = [.evaluation, .training]

    // MARK: 1. torchvision state_dict compatibility

    @Test(arguments: [
        ("resnet18", 11_689_512), ("resnet34", 21_797_672), ("resnet50", 25_557_032), ("vgg11", 132_863_336),
        ("vgg11-bn", 132_868_840), ("vgg16", 138_357_544), ("vgg16-bn", 138_365_992), ("vit-b16", 86_567_656),
    ])
    func fullSizeModelHasTorchvisionStateDictKeysShapesOrderAndParameterCount(_ expected: (name: String, count: Int)) throws {
        let reference = try #require(try ModelGoldens.keys.get().models[expected.name], "no torchvision keys for \(expected.name)")
        #expect(reference.parameterCount == expected.count, "torchvision's own count for \(reference.torchvision)")
        let model = try ModelZoo.build(
            ModelConfiguration(name: expected.name, inputChannels: reference.input[0], inputSize: reference.input[1], classes: reference.classes))
        #expect(model.parameterCount == expected.count, "\(expected.name): \(model.parameterCount) parameters")

        let sharp = model.entries.map { ModelGoldens.TorchvisionEntry(name: $0.name, shape: $0.shape, kind: $0.kind.rawValue) }
        #expect(sharp.count == reference.entries.count, "\(expected.name): \(sharp.count) state entries, torchvision has \(reference.entries.count)")
        if let i = zip(sharp, reference.entries).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(expected.name): state entry \(i) is \(sharp[i]), torchvision's is \(reference.entries[i])")
        }
        let missing = Set(reference.entries.map(\.name)).subtracting(sharp.map(\.name))
        #expect(missing.isEmpty, "\(expected.name) lacks torchvision keys \(missing.sorted().prefix(5))")
    }

    // MARK: 2. minis in float64

    @Test(arguments: minis)
    func goldenStateDictHasTheMinisKeysShapesAndOrder(_ name: String) throws {
        let golden = try ModelGoldens.mini(name)
        let model = try ModelZoo.build(Self.configuration(golden), dtype: .float64)
        let sharp = model.entries.map { ModelGoldens.TorchvisionEntry(name: $0.name, shape: $0.shape, kind: $0.kind.rawValue) }
        let torch = golden.state.map { ModelGoldens.TorchvisionEntry(name: $0.name, shape: $0.shape, kind: $0.kind ?? "?") }
        #expect(sharp == torch, "\(name): Sharp's entries differ from the PyTorch module's state_dict")
        #expect(model.parameterCount == golden.parameterCount)
    }

    @Test(arguments: minis, modes)
    func float64LogitsLossAndEveryGradientEqualPyTorch(_ name: String, _ mode: Mode) throws {
        let m = try Loaded(name, dtype: .float64)
        let reference = try m.golden.results(mode.rawValue)
        let logits = m.model.logits(Var(m.input), parameters: m.model.parameters.map(Var.init), mode: mode).logits.value
        let logitsError = reference.logits.relativeError(of: logits)
        #expect(logitsError <= 1e-9, "\(name) \(mode) logits: relative error \(logitsError)")

        let (loss, gradient) = try valueAndGradient(at: m.model.parameters, of: m.loss(mode))
        let lossError = ModelGoldens.relativeError(loss, reference.loss)
        #expect(lossError <= 1e-9, "\(name) \(mode) loss \(loss) vs PyTorch \(reference.loss)")
        let gradientError = try compare(m, gradient, reference.gradients, tolerance: 1e-9, what: "\(name) \(mode) float64 gradient")
        print("golden \(name) \(mode) float64: logits \(logitsError), loss \(lossError), gradients \(gradientError)")
    }

    @Test(arguments: minis)
    func float64TrainingPassUpdatesBatchNormRunningStatisticsAsPyTorch(_ name: String) throws {
        let m = try Loaded(name, dtype: .float64)
        let reference = try m.golden.results(Mode.training.rawValue)
        let updated = m.model.logits(Var(m.input), parameters: m.model.parameters.map(Var.init), mode: .training).updatedBuffers
        let buffers = m.model.entries.filter { $0.kind == .buffer }
        guard let expected = reference.updatedBuffers else {
            #expect(buffers.isEmpty && updated.isEmpty, "\(name) has no BatchNorm, yet buffers \(buffers.map(\.name)) were updated")
            return
        }
        #expect(Set(updated.keys) == Set(buffers.map(\.index)), "\(name): a training pass must update every BatchNorm buffer")
        #expect(Set(expected.keys) == Set(buffers.map(\.name)))
        var worst = 0.0
        for entry in buffers {
            let value = try #require(updated[entry.index], "\(name): \(entry.name) not updated")
            let error = try #require(expected[entry.name]).relativeError(of: value)
            worst = max(worst, error)
            #expect(error <= 1e-9, "\(name) updated \(entry.name): relative error \(error)")
        }
        print("golden \(name) training float64: updated running statistics \(worst)")
    }

    @Test(arguments: minis, modes)
    func float64HessianVectorProductEqualsPyTorchDoubleBackward(_ name: String, _ mode: Mode) throws {
        let m = try Loaded(name, dtype: .float64)
        let reference = try m.golden.results(mode.rawValue)
        let linearization = try Linearization(at: m.model.parameters, of: m.loss(mode))
        let hv = linearization.hessianVectorProduct(m.direction)
        let hvError = try compare(m, hv, reference.hvp, tolerance: 1e-8, what: "\(name) \(mode) float64 H·v")
        let vHv = zip(m.direction, hv).reduce(0) { $0 + $1.0.dot($1.1) }
        let vHvError = ModelGoldens.relativeError(vHv, reference.vHv)
        #expect(vHvError <= 1e-8, "\(name) \(mode) vᵀHv \(vHv) vs PyTorch \(reference.vHv)")
        print("golden \(name) \(mode) float64: H·v \(hvError), vᵀHv \(vHvError)")
    }

    /// The float64 tolerances are tight enough to notice a one-part-per-million change of a single
    /// weight tensor (so the comparisons above are not vacuous).
    @Test(arguments: minis)
    func perturbingOneWeightTensorByOnePartPerMillionBreaksTheFloat64Agreement(_ name: String) throws {
        var m = try Loaded(name, dtype: .float64)
        let reference = try m.golden.results(Mode.evaluation.rawValue)
        var parameters = m.model.parameters
        let target = parameters.count / 2
        parameters[target] = parameters[target] * (1 + 1e-6)
        m.model.setParameters(parameters)
        let (loss, gradient) = try valueAndGradient(at: m.model.parameters, of: m.loss(.evaluation))
        var worst = ModelGoldens.relativeError(loss, reference.loss)
        for (parameter, g) in zip(m.model.parameterNames, gradient) {
            worst = max(worst, try #require(reference.gradients[parameter]).relativeError(of: g))
        }
        #expect(worst > 1e-9, "\(name): scaling \(m.model.parameterNames[target]) by 1 + 1e-6 went unnoticed (worst error \(worst))")
    }

    // MARK: 3. minis in float32

    /// A float32 comparison at a point where float32 rounding can flip a ReLU or max-pool branch
    /// tests rounding luck, not arithmetic: the gradient through the flipped unit changes by O(1)
    /// and which way it goes depends on the BLAS kernel (docs/testing.md). The generator draws
    /// inputs until every kink is 20 float32 deviations away; this keeps a regenerated golden honest.
    @Test(arguments: minis)
    func goldenInputsKeepEveryKinkTwentyFloat32DeviationsAway(_ name: String) throws {
        let golden = try ModelGoldens.mini(name)
        if name == "vit-tiny" {
            #expect(golden.kinkMargin == nil, "vit-tiny has no ReLU or max-pool")
        } else {
            let margin = try #require(golden.kinkMargin, "\(name): the golden records no kink margin; regenerate it with tools/gen_model_goldens.py")
            #expect(margin >= 20, "\(name): a kink only \(margin) float32 deviations from the golden input")
        }
    }

    @Test(arguments: minis, modes)
    func float32LogitsLossGradientsAndHessianVectorProductStayWithin1e4OfPyTorch(_ name: String, _ mode: Mode) throws {
        let m = try Loaded(name, dtype: .float32)
        let reference = try m.golden.results(mode.rawValue)
        let logits = m.model.logits(Var(m.input), parameters: m.model.parameters.map(Var.init), mode: mode).logits.value
        let logitsError = reference.logits.relativeError(of: logits)
        #expect(logitsError <= 1e-4, "\(name) \(mode) float32 logits: relative error \(logitsError)")

        let linearization = try Linearization(at: m.model.parameters, of: m.loss(mode))
        let lossError = ModelGoldens.relativeError(linearization.value, reference.loss)
        #expect(lossError <= 1e-4, "\(name) \(mode) float32 loss \(linearization.value) vs PyTorch \(reference.loss)")
        let gradientError = try compare(m, linearization.gradient, reference.gradients, tolerance: 1e-4, what: "\(name) \(mode) float32 gradient")
        let hv = linearization.hessianVectorProduct(m.direction)
        let hvError = try compare(m, hv, reference.hvp, tolerance: 1e-4, what: "\(name) \(mode) float32 H·v")
        print("golden \(name) \(mode) float32: logits \(logitsError), loss \(lossError), gradients \(gradientError), H·v \(hvError)")
    }

    // MARK: - Helpers

    static func configuration(_ golden: ModelGoldens.MiniGolden) -> ModelConfiguration {
        ModelConfiguration(name: golden.config.name, inputChannels: golden.config.inputChannels, inputSize: golden.config.inputSize, classes: golden.config.classes)
    }

    /// Compares one tensor per parameter (by name) and returns the largest relative error.
    func compare(_ m: Loaded, _ actual: [Tensor], _ expected: [String: ModelGoldens.ResultTensor], tolerance: Double, what: String) throws -> Double {
        let names = m.model.parameterNames
        #expect(actual.count == names.count && expected.count == names.count, "\(what): \(actual.count) tensors, \(expected.count) references")
        var worst = 0.0
        for (name, value) in zip(names, actual) {
            let error = try #require(expected[name], "\(what): no reference for \(name)").relativeError(of: value)
            worst = max(worst, error)
            #expect(error <= tolerance, "\(what) of \(name): relative error \(error)")
        }
        return worst
    }
}

extension GoldenModelTests {
    /// A mini built by the zoo with the golden state loaded through `load(stateDict:)`.
    struct Loaded {
        let golden: ModelGoldens.MiniGolden
        var model: Model
        let input: Tensor
        /// The H·v direction, in parameter order.
        let direction: [Tensor]

        init(_ name: String, dtype: DType) throws {
            let golden = try ModelGoldens.mini(name)
            self.golden = golden
            model = try ModelZoo.build(GoldenModelTests.configuration(golden), dtype: dtype)
            var state: [String: Tensor] = [:]
            for entry in golden.state { state[entry.name] = try entry.tensor().converted(to: dtype) }
            try model.load(stateDict: state)
            input = try golden.input.tensor().converted(to: dtype)
            let byName = Dictionary(uniqueKeysWithValues: golden.direction.map { ($0.name, $0) })
            direction = try model.parameterNames.map { name in
                guard let d = byName[name] else { throw ModelError.stateMismatch(model: golden.config.name, reason: "no direction for \(name)") }
                return try d.tensor().converted(to: dtype)
            }
        }

        /// Mean cross-entropy of the golden batch as a function of the parameters.
        func loss(_ mode: Mode) -> ([Var]) -> Var {
            let (model, x, labels) = (self.model, Var(input), golden.labels)
            return { p in model.logits(x, parameters: p, mode: mode).logits.crossEntropy(labels: labels) }
        }
    }
}
