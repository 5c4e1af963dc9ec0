import Foundation
import PluginHost

/// The built-in plugins, found next to the test executable (SwiftPM's build directory), with no
/// SHARP_PLUGIN_PATH and no store.
let builtins = PluginRegistry(searchPath: .standard(store: nil, environment: [:]))

/// The package root (tests compile from Tests/PluginTests/).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A differentiable test problem on a flat Double vector: loss and gradient.
struct Problem: Sendable {
    let loss: @Sendable ([Double]) -> Double
    let gradient: @Sendable ([Double]) -> [Double]

    /// ½·Σ aᵢwᵢ² (setup Q of docs/algorithms.md#closed-form-tests has a = (3, 2)).
    static func quadratic(_ a: [Double]) -> Problem {
        Problem(loss: { w in 0.5 * zip(a, w).reduce(0) { $0 + $1.0 * $1.1 * $1.1 } }, gradient: { w in zip(a, w).map { $0 * $1 } })
    }

    /// ¼·Σ cᵢwᵢ⁴ (setup C has c = (1, 0.5)).
    static func quartic(_ c: [Double]) -> Problem {
        Problem(loss: { w in 0.25 * zip(c, w).reduce(0) { $0 + $1.0 * pow($1.1, 4) } }, gradient: { w in zip(c, w).map { $0 * pow($1, 3) } })
    }

    /// A constant loss: zero gradient everywhere.
    static let flat = Problem(loss: { _ in 1 }, gradient: { w in [Double](repeating: 0, count: w.count) })

    /// A non-quadratic loss with coupling between coordinates (for property tests).
    static func coupled(seed: UInt64, count: Int) -> Problem {
        var s = seed
        let a = (0..<count).map { _ -> Double in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 0.5 + Double(s >> 40) / Double(1 << 24)
        }
        return Problem(
            loss: { w in zip(a, w).reduce(0) { $0 + log(cosh($1.0 * $1.1)) } + 0.1 * pow(w.reduce(0, +), 2) },
            gradient: { w in
                let t = 0.2 * w.reduce(0, +)
                return zip(a, w).map { $0 * tanh($0 * $1) + t }
            })
    }
}

/// Records every oracle call of an optimizer driven through the host.
final class OracleLog: @unchecked Sendable {
    var points: [[Double]] = []
    var passes: [OraclePass] = []
}

/// One optimizer run in Double on a layout of named tensors covering `w0`.
struct Run {
    let optimizer: LoadedOptimizer
    var w: [Double]
    let problem: Problem
    let log = OracleLog()

    init(_ name: String, base: String? = nil, _ hyperparameters: [String: HyperparameterValue] = [:], learningRate: Double = 0.1,
         w0: [Double], problem: Problem, layout: [ParameterLayoutEntry]? = nil) throws {
        optimizer = try LoadedOptimizer(registry: builtins, name: name, base: base,
                                        layout: layout ?? [ParameterLayoutEntry(name: "weight", shape: [w0.count])],
                                        elementType: Double.self, hyperparameters: hyperparameters)
        optimizer.learningRate = learningRate
        w = w0
        self.problem = problem
    }

    var oracle: GradientOracle<Double> {
        let (problem, log) = (problem, log)
        return { p, g, pass in
            let point = Array(p)
            log.points.append(point)
            log.passes.append(pass)
            let grad = problem.gradient(point)
            for i in grad.indices { g[i] = grad[i] }
            return problem.loss(point)
        }
    }

    @discardableResult
    mutating func step(_ count: Int = 1) throws -> StepReport {
        var report: StepReport?
        let oracle = self.oracle
        for _ in 0..<count {
            report = try w.withUnsafeMutableBufferPointer { try optimizer.step(parameters: $0, oracle: oracle) }
        }
        return report!
    }

    /// e(w) at the current weights.
    mutating func perturbation() throws -> [Double]? {
        var e = [Double](repeating: 0, count: w.count)
        let oracle = self.oracle
        let optimizer = self.optimizer
        let made = try w.withUnsafeMutableBufferPointer { wp in
            try e.withUnsafeMutableBufferPointer { try optimizer.perturbation(parameters: wp, into: $0, oracle: oracle) }
        }
        return made == nil ? nil : e
    }
}

/// max |aᵢ − bᵢ|.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// A number hyperparameter.
func n(_ x: Double) -> HyperparameterValue { .number(x) }
