import Foundation
import PluginHost
import Testing

/// Save/load: a run resumed from saved state continues with bit-identical weights.
struct OptimizerStateTests {
    static let layout = [ParameterLayoutEntry(name: "a.weight", shape: [5, 4]), ParameterLayoutEntry(name: "a.bias", shape: [5])]
    static let problem = Problem.coupled(seed: 3, count: 25)

    static func oracle(_ p: UnsafeBufferPointer<Float>, _ g: UnsafeMutableBufferPointer<Float>, _ pass: OraclePass) -> Double {
        let w = p.map(Double.init)
        let grad = problem.gradient(w)
        for i in grad.indices { g[i] = Float(grad[i]) }
        return problem.loss(w)
    }

    static func make(_ name: String, _ base: String?, _ hp: [String: HyperparameterValue]) throws -> LoadedOptimizer {
        let o = try LoadedOptimizer(registry: builtins, name: name, base: base, layout: layout, hyperparameters: hp)
        o.learningRate = 0.01
        return o
    }

    @Test(arguments: [
        ("sgd", nil, ["momentum": n(0.9), "nesterov": .boolean(true)]), ("adam", nil, [:]), ("adamw", nil, [:]),
        ("sam", "adam", [:]), ("asam", "sgd", ["base.momentum": n(0.5)]), ("gsam", "adamw", [:]),
        ("wsam", "adam", [:]), ("crsam", "adam", [:]),
    ] as [(String, String?, [String: HyperparameterValue])])
    func resumingFromSavedStateIsBitIdentical(_ name: String, _ base: String?, _ hp: [String: HyperparameterValue]) throws {
        let start: [Float] = (0..<25).map { Float(sin(Double($0))) }
        let straight = try Self.make(name, base, hp)
        var w1 = start
        try w1.withUnsafeMutableBufferPointer { wp in for _ in 0..<6 { _ = try straight.step(parameters: wp, oracle: Self.oracle) } }

        let first = try Self.make(name, base, hp)
        var w2 = start
        try w2.withUnsafeMutableBufferPointer { wp in for _ in 0..<3 { _ = try first.step(parameters: wp, oracle: Self.oracle) } }
        let saved = try first.saveState()
        let resumed = try Self.make(name, base, hp)
        try resumed.loadState(saved)
        #expect(resumed.stepCount == 3)
        try w2.withUnsafeMutableBufferPointer { wp in for _ in 0..<3 { _ = try resumed.step(parameters: wp, oracle: Self.oracle) } }
        #expect(w1 == w2)
        #expect(try resumed.saveState() == straight.saveState())
    }

    @Test func adamStateUsesPyTorchNamesAndBaseTensorsArePrefixed() throws {
        let o = try Self.make("sam", "adam", [:])
        let names = Set(try o.saveState().map(\.name))
        #expect(names == ["base.exp_avg", "base.exp_avg_sq", "base.step", "sharp.step"])
    }

    @Test func loadingForeignStateFailsWithTheTensorName() throws {
        let o = try Self.make("adam", nil, [:])
        let wrong = [OptimizerStateTensor(name: "exp_avg", shape: [3], values: .float32([0, 0, 0]))]
        #expect { try o.loadState(wrong) } throws: { error in "\(error)".contains("step") || "\(error)".contains("exp_avg") }
    }
}
