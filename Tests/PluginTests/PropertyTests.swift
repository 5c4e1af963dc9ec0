import Foundation
import PluginHost
import Testing

/// The property tests of docs/algorithms.md#closed-form-tests, on a coupled non-quadratic loss over a two-tensor layout
/// ("layer.weight", "layer.bias") and on degenerate inputs.
struct PropertyTests {
    static let layout = [ParameterLayoutEntry(name: "layer.weight", shape: [3, 4]), ParameterLayoutEntry(name: "layer.bias", shape: [3])]
    static let w0: [Double] = (0..<15).map { sin(Double($0) * 1.7) + 0.1 }
    static let problem = Problem.coupled(seed: 7, count: 15)

    func run(_ name: String, base: String? = nil, _ hp: [String: HyperparameterValue] = [:], problem: Problem = problem) throws -> Run {
        try Run(name, base: base, hp, learningRate: 0.05, w0: Self.w0, problem: problem, layout: Self.layout)
    }

    func trajectory(_ name: String, base: String?, _ hp: [String: HyperparameterValue], steps: Int = 3) throws -> [Double] {
        var r = try run(name, base: base, hp)
        try r.step(steps)
        return r.w
    }

    @Test func gsamWithAlphaZeroIsSAM() throws {
        for base in ["sgd", "adam"] {
            #expect(try trajectory("gsam", base: base, ["rho_max": n(0.05), "rho_min": n(0.05), "alpha": n(0)])
                    == trajectory("sam", base: base, ["rho": n(0.05)]))
        }
    }

    @Test func wsamWithGammaOneHalfIsSAM() throws {
        for base in ["sgd", "adam"] {
            #expect(try trajectory("wsam", base: base, ["rho": n(0.05), "gamma": n(0.5), "decouple": .boolean(false)])
                    == trajectory("sam", base: base, ["rho": n(0.05)]))
        }
        // Decoupled WSAM leaves the sharpness term outside the base: SAM again only on plain SGD.
        let decoupled = try trajectory("wsam", base: "sgd", ["rho": n(0.05), "gamma": n(0.5)])
        #expect(maxDifference(decoupled, try trajectory("sam", base: "sgd", ["rho": n(0.05)])) < 1e-12)
    }

    @Test func wsamWithGammaZeroIsItsBase() throws {
        for decouple in [true, false] {
            #expect(try trajectory("wsam", base: "adam", ["gamma": n(0), "decouple": .boolean(decouple)]) == trajectory("adam", base: nil, [:]))
        }
    }

    @Test func crsamWithZeroWeightsIsSAM() throws {
        #expect(try trajectory("crsam", base: "adam", ["rho": n(0.05), "curvature_weight": n(0), "gradient_norm_weight": n(0)])
                == trajectory("sam", base: "adam", ["rho": n(0.05)]))
    }

    @Test(arguments: [("sam", "rho"), ("asam", "rho"), ("gsam", "rho_max"), ("wsam", "rho"), ("crsam", "rho")])
    func rhoZeroIsTheBaseOptimizer(_ name: String, _ key: String) throws {
        for base in ["sgd", "adam", "adamw"] {
            let wrapped = try trajectory(name, base: base, [key: n(0)])
            #expect(maxDifference(wrapped, try trajectory(base, base: nil, [:])) < 1e-12, "\(name) over \(base)")
        }
    }

    @Test(arguments: ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"])
    func zeroGradientGivesNoNaNAndTheBaseStep(_ name: String) throws {
        let base = ["sgd", "adam", "adamw"].contains(name) ? nil : "adam"
        var r = try run(name, base: base, problem: .flat)
        try r.step(2)
        #expect(r.w.allSatisfy { $0.isFinite })
        var plain = try run(base ?? name, problem: .flat)
        try plain.step(2)
        #expect(r.w == plain.w)
        if let e = try r.perturbation() { #expect(e.allSatisfy { $0 == 0 }) }
    }

    @Test(arguments: [("sgd", 1), ("adam", 1), ("adamw", 1), ("sam", 2), ("asam", 2), ("gsam", 2), ("wsam", 2), ("crsam", 3)])
    func passCountsAndStatisticsFlags(_ name: String, _ passes: Int) throws {
        var r = try run(name)
        let report = try r.step(3)
        #expect(report.passes == passes)
        #expect(r.optimizer.passCount == 3 * passes)
        #expect(r.optimizer.plugin.passesPerStep == passes)
        #expect(r.log.passes.filter(\.updatesStatistics).count == 3, "exactly one pass per step updates BatchNorm statistics")
        #expect(r.log.passes.enumerated().allSatisfy { $0.element.updatesStatistics == ($0.offset % passes == 0) })
        #expect(abs(report.loss - Self.problem.loss(r.log.points[r.log.points.count - passes])) < 1e-15, "reported loss is the clean pass's")
        r.log.passes.removeAll()
        if try r.perturbation() != nil { #expect(r.log.passes.allSatisfy { !$0.updatesStatistics }) }
    }

    /// ‖e‖ = ρ·‖g‖/(‖g‖ + ε) for SAM; ‖T⁻¹e‖ = ρ (up to ε) for official ASAM, T = |w| + η on
    /// tensors named *weight*, 1 elsewhere.
    @Test func perturbationsHaveTheirRadius() throws {
        var sam = try run("sam", ["rho": n(0.07)])
        let e = try #require(try sam.perturbation())
        let g = Self.problem.gradient(Self.w0)
        let gn = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(e.reduce(0) { $0 + $1 * $1 }.squareRoot() - 0.07 * gn / (gn + 1e-12)) < 1e-12)
        var asam = try run("asam", ["rho": n(0.5), "eta": n(0.01)])
        let ea = try #require(try asam.perturbation())
        let scaled = ea.enumerated().map { i, v in i < 12 ? v / (abs(Self.w0[i]) + 0.01) : v }
        #expect(abs(scaled.reduce(0) { $0 + $1 * $1 }.squareRoot() - 0.5) < 1e-12)
    }

    /// The perturbation is fully undone: after a step the weights are base.step(w, d) with d computed
    /// at the original w (here SAM over plain SGD: w − lr·∇L(w + e)).
    @Test func weightsAreRestoredBeforeTheBaseStep() throws {
        var r = try run("sam", base: "sgd", ["rho": n(0.05)])
        let e = try #require(try r.perturbation())
        try r.step()
        let gp = Self.problem.gradient(zip(Self.w0, e).map(+))
        #expect(maxDifference(r.w, zip(Self.w0, gp).map { $0 - 0.05 * $1 }) < 1e-14)
        var cr = try run("crsam", base: "sgd")
        try cr.step()
        #expect(cr.log.points[0] == Self.w0)
        #expect(maxDifference(zip(cr.log.points[1], cr.log.points[2]).map { ($0 + $1) / 2 }, Self.w0) < 1e-15, "w + e and w − e straddle w")
    }

    /// A failing oracle surfaces the host's own error, and the weights are back at w.
    @Test func oracleErrorsPropagateAndWeightsAreRestored() throws {
        struct Boom: Error {}
        for name in ["sam", "asam", "gsam", "wsam", "crsam"] {
            let optimizer = try LoadedOptimizer(registry: builtins, name: name, layout: Self.layout, elementType: Double.self)
            var w = Self.w0
            var calls = 0
            #expect(throws: Boom.self) {
                try w.withUnsafeMutableBufferPointer { wp in
                    _ = try optimizer.step(parameters: wp) { p, g, _ in
                        calls += 1
                        if calls == 2 { throw Boom() }
                        for i in 0..<g.count { g[i] = 1 }
                        return 0
                    }
                }
            }
            #expect(w == Self.w0, "\(name) left the weights perturbed")
        }
    }
}
