import PluginHost
import Tensor
import Testing

/// The Tensor convenience a trainer uses with a model's flat `parameterVector`.
struct TensorStepTests {
    @Test func aTensorStepMatchesTheClosedFormAndLeavesTheInputUntouched() throws {
        let o = try LoadedOptimizer(registry: builtins, name: "sam", base: "sgd", layout: [.init(name: "weight", shape: [2])],
                                    elementType: Double.self, hyperparameters: ["rho": .number(0.05)])
        o.learningRate = 0.1
        let w0 = Tensor(shape: [2], scalars: [1.0, 2.0], dtype: .float64)
        var statisticsPasses = 0
        let (w1, report) = try o.step(parameters: w0) { w, pass in
            if pass.updatesStatistics { statisticsPasses += 1 }
            let g = Tensor(shape: [2], scalars: [3 * w[0], 2 * w[1]], dtype: .float64)
            return (0.5 * (3 * w[0] * w[0] + 2 * w[1] * w[1]), g)
        }
        #expect(maxDifference(w1.doubles, [0.691, 1.592]) < 1e-9)
        #expect(w0.doubles == [1, 2], "the input tensor is a value: not written")
        #expect(report.passes == 2 && statisticsPasses == 1 && report.loss == 5.5)
    }

    @Test func aFloat32GradientIsConvertedForAFloat64State() throws {
        let o = try LoadedOptimizer(registry: builtins, name: "sgd", layout: [.init(name: "w", shape: [3])], elementType: Double.self)
        o.learningRate = 0.5
        let (w1, _) = try o.step(parameters: Tensor(shape: [3], scalars: [1.0, 1, 1], dtype: .float64)) { _, _ in
            (0, Tensor(shape: [3], scalars: [Float(2), 4, 6]))
        }
        #expect(w1.doubles == [0, -1, -2])
    }
}
