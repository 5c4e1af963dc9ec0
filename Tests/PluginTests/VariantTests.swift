import Foundation
import PluginHost
import Testing

/// The named variants beyond docs/algorithms.md#closed-form-tests, against values worked out by hand (Q:
/// L = ½wᵀAw, A = diag(3, 2), w0 = (1, 2), g0 = (3, 4)) or re-derived here from the formulas.
struct VariantTests {
    static let w0 = [1.0, 2.0]

    func direction(_ name: String, _ hp: [String: HyperparameterValue], problem: Problem = .quadratic([3, 2])) throws -> [Double] {
        var run = try Run(name, base: "sgd", hp, learningRate: 1, w0: Self.w0, problem: problem)
        try run.step()
        return zip(Self.w0, run.w).map { $0 - $1 }
    }

    /// big_vision's other GSAM mode: d = g + α(g_p − ⟨g_p, ĝ⟩ĝ); g_p = (3.09, 4.08), ĝ = (0.6, 0.8).
    @Test func gsamCleanGradientModeMatchesHandValues() throws {
        let d = try direction("gsam", ["rho_max": n(0.05), "alpha": n(0.4), "minimize_fp": .boolean(false)])
        #expect(maxDifference(d, [3.00768, 3.99424]) < 1e-12)
    }

    /// CR-SAM `log` on a quadratic: no curvature term (g+ + g− = 2g0), and the gradient-norm term is
    /// β·Aĝ/‖g‖, so d = g + ρAĝ + βAĝ/5 with Aĝ = (1.8, 1.6); ρ 0.05, β 0.1 tell it from `code`.
    @Test func crsamLogFormOnTheQuadratic() throws {
        let hp: [String: HyperparameterValue] = ["rho": n(0.05), "curvature_weight": n(0.1), "gradient_norm_weight": n(0.1)]
        #expect(maxDifference(try direction("crsam", hp.merging(["form": .string("log")]) { $1 }), [3.126, 4.112]) < 1e-12)
        #expect(maxDifference(try direction("crsam", hp), [3.108, 4.096]) < 1e-12)
    }

    /// CR-SAM `log` on the quartic (setup C), from g± = c⊙(w0 ± e)³ computed here.
    @Test func crsamLogFormOnTheQuartic() throws {
        let c = [1.0, 0.5], rho = 0.1, gamma = 0.1, beta = 0.01
        let g0 = zip(c, Self.w0).map { $0 * pow($1, 3) }
        let norm = g0.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let e = g0.map { rho * $0 / (norm + 1e-12) }, h = rho * norm / (norm + 1e-12)
        let plus = (0..<2).map { c[$0] * pow(Self.w0[$0] + e[$0], 3) }, minus = (0..<2).map { c[$0] * pow(Self.w0[$0] - e[$0], 3) }
        let t = (0..<2).reduce(0.0) { $0 + g0[$1] / norm * (plus[$1] - minus[$1]) } / (2 * h)
        let expected = (0..<2).map { i in
            plus[i] + gamma * (plus[i] + minus[i] - 2 * g0[i]) / (h * h * t) + beta * (plus[i] - minus[i]) / (2 * h * norm)
        }
        let d = try direction("crsam", ["rho": n(rho), "curvature_weight": n(gamma), "gradient_norm_weight": n(beta), "form": .string("log")],
                              problem: .quartic(c))
        #expect(maxDifference(d, expected) < 1e-12)
        #expect(maxDifference(expected, [1.0823606764, 4.7218014795]) < 1e-9)
    }

    /// WSAM `max_norm` clips g after e is formed, and g_p: coupled γ 0.9, max_norm 1 gives
    /// d = 9·g_p/‖g_p‖ − 8·g/‖g‖ with e still (0.03, 0.04).
    @Test func wsamClipsBothGradientsAfterFormingE() throws {
        let hp: [String: HyperparameterValue] = ["rho": n(0.05), "gamma": n(0.9), "decouple": .boolean(false), "max_norm": n(1)]
        let gp = [3.09, 4.08], gpNorm = (3.09 * 3.09 + 4.08 * 4.08).squareRoot()
        let expected = [9 * gp[0] / gpNorm - 8 * 0.6, 9 * gp[1] / gpNorm - 8 * 0.8]
        #expect(maxDifference(try direction("wsam", hp), expected) < 1e-12)
        // A bound above both norms changes nothing.
        #expect(maxDifference(try direction("wsam", hp.merging(["max_norm": n(100)]) { $1 }), [3.81, 4.72]) < 1e-12)
    }

    /// Official ASAM scales only tensors whose name contains "weight": with a bias next to the
    /// weight, e = ρ·t²⊙g/(‖t⊙g‖ + 1e-16) with t = |w| + 0.01 on the weight and t = 1 on the bias;
    /// davda54's variant scales the bias too (t = |w|, ε 1e-12).
    @Test(arguments: [("official", [1.01, 2.01, 1.0], 1e-16), ("davda54", [1.0, 2.0, 0.5], 1e-12)])
    func asamScalesTheTensorsItsVariantNames(_ variant: String, _ t: [Double], _ epsilon: Double) throws {
        let layout = [ParameterLayoutEntry(name: "fc.weight", shape: [2]), ParameterLayoutEntry(name: "fc.bias", shape: [1])]
        let w = [1.0, 2.0, 0.5], g = [3.0, 4.0, 0.5]  // L = ½Σaw², a = (3, 2, 1)
        var run = try Run("asam", base: "sgd", ["rho": n(0.5), "variant": .string(variant)], w0: w, problem: .quadratic([3, 2, 1]), layout: layout)
        let e = try #require(try run.perturbation())
        let denominator = zip(t, g).reduce(0) { $0 + $1.0 * $1.1 * $1.0 * $1.1 }.squareRoot() + epsilon
        #expect(maxDifference(e, (0..<3).map { 0.5 * t[$0] * t[$0] * g[$0] / denominator }) < 1e-12)
    }
}
