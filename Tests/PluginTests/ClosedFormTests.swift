import PluginHost
import Testing

/// docs/algorithms.md#closed-form-tests, setup Q: L = ½wᵀAw, A = diag(3, 2), w0 = (1, 2), one tensor named "weight",
/// plain SGD base. The direction d is read from an SGD step with lr 1 (w1 = w0 − d), the weights
/// from one with lr 0.1; e from `perturbation`. Tolerance 1e-9.
struct ClosedFormTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let name: String
        let hyperparameters: [String: HyperparameterValue]
        let e: [Double]
        let d: [Double]?
        let w1: [Double]?
        var testDescription: String { label }
    }

    static let w0 = [1.0, 2.0]
    static let q = Problem.quadratic([3, 2])

    static let cases: [Case] = [
        Case(label: "SAM ρ 0.05", name: "sam", hyperparameters: ["rho": n(0.05)], e: [0.03, 0.04], d: [3.09, 4.08], w1: [0.691, 1.592]),
        Case(label: "ASAM official ρ 0.5 η 0.01", name: "asam", hyperparameters: ["rho": n(0.5), "eta": n(0.01)],
             e: [0.1780900404, 0.9404327316], d: [3.5342701211, 5.8808654632], w1: [0.6465729879, 1.4119134537]),
        Case(label: "ASAM davda54 ρ 0.5", name: "asam", hyperparameters: ["rho": n(0.5), "variant": .string("davda54")],
             e: [0.1755617208, 0.9363291776], d: [3.5266851624, 5.8726583551], w1: [0.6473314838, 1.4127341645]),
        Case(label: "ASAM davda54 ρ 2", name: "asam", hyperparameters: ["rho": n(2), "variant": .string("davda54")],
             e: [0.7022468832, 3.7453167103], d: [5.1067406495, 11.4906334206], w1: [0.4893259350, 0.8509366579]),
        Case(label: "ASAM big-vision ρ 0.5", name: "asam", hyperparameters: ["rho": n(0.5), "variant": .string("big-vision")],
             e: [0.3, 0.8], d: nil, w1: nil),
        Case(label: "GSAM ρ 0.05 α 0.4", name: "gsam", hyperparameters: ["rho_max": n(0.05), "alpha": n(0.4)],
             e: [0.03, 0.04], d: [3.0974763786, 4.0743377427], w1: [0.6902523621, 1.5925662257]),
        Case(label: "GSAM α 0 = SAM", name: "gsam", hyperparameters: ["rho_max": n(0.05), "alpha": n(0)],
             e: [0.03, 0.04], d: [3.09, 4.08], w1: [0.691, 1.592]),
        Case(label: "WSAM ρ 0.05 γ 0.5 = SAM", name: "wsam", hyperparameters: ["rho": n(0.05), "gamma": n(0.5)],
             e: [0.03, 0.04], d: [3.09, 4.08], w1: [0.691, 1.592]),
        Case(label: "WSAM ρ 0.05 γ 0.9 decoupled", name: "wsam", hyperparameters: ["rho": n(0.05), "gamma": n(0.9)],
             e: [0.03, 0.04], d: [3.81, 4.72], w1: [0.619, 1.528]),
        Case(label: "WSAM ρ 0.05 γ 0.9 coupled", name: "wsam", hyperparameters: ["rho": n(0.05), "gamma": n(0.9), "decouple": .boolean(false)],
             e: [0.03, 0.04], d: [3.81, 4.72], w1: [0.619, 1.528]),
        Case(label: "CR-SAM ρ 0.1 γc 0.1 β 0.01", name: "crsam",
             hyperparameters: ["rho": n(0.1), "curvature_weight": n(0.1), "gradient_norm_weight": n(0.01)],
             e: [0.06, 0.08], d: [3.1836, 4.1632], w1: [0.68164, 1.58368]),
        Case(label: "CR-SAM ρ 0.1 γc 0.1 β 0.1", name: "crsam",
             hyperparameters: ["rho": n(0.1), "curvature_weight": n(0.1), "gradient_norm_weight": n(0.1)],
             e: [0.06, 0.08], d: [3.216, 4.192], w1: [0.6784, 1.5808]),
    ]

    @Test(arguments: cases)
    func perturbationMatchesClosedForm(_ c: Case) throws {
        var run = try Run(c.name, base: "sgd", c.hyperparameters, w0: Self.w0, problem: Self.q)
        let e = try #require(try run.perturbation())
        #expect(maxDifference(e, c.e) < 1e-9, "e = \(e)")
        #expect(run.w == Self.w0, "perturbation must leave w unchanged")
    }

    @Test(arguments: cases.filter { $0.d != nil })
    func directionMatchesClosedForm(_ c: Case) throws {
        var run = try Run(c.name, base: "sgd", c.hyperparameters, learningRate: 1, w0: Self.w0, problem: Self.q)
        try run.step()
        let d = zip(Self.w0, run.w).map { $0 - $1 }
        #expect(maxDifference(d, c.d!) < 1e-9, "d = \(d)")
    }

    @Test(arguments: cases.filter { $0.w1 != nil })
    func sgdStepMatchesClosedForm(_ c: Case) throws {
        var run = try Run(c.name, base: "sgd", c.hyperparameters, learningRate: 0.1, w0: Self.w0, problem: Self.q)
        try run.step()
        #expect(maxDifference(run.w, c.w1!) < 1e-9, "w1 = \(run.w)")
    }

    /// Setup C (quartic, c = (1, 0.5)): the curvature term g+ + g− − 2g0 is not zero here.
    @Test func crsamOnTheQuarticMatchesClosedForm() throws {
        let hp: [String: HyperparameterValue] = ["rho": n(0.1), "curvature_weight": n(0.1), "gradient_norm_weight": n(0.01)]
        var run = try Run("crsam", base: "sgd", hp, learningRate: 0.1, w0: Self.w0, problem: .quartic([1, 0.5]))
        try run.step()
        #expect(maxDifference(run.w, [0.8923651900, 1.5371924769]) < 1e-9, "w1 = \(run.w)")
        // The three passes: w, w + e, w − e with e = (0.0242535625, 0.0970142500).
        let e = [0.0242535625, 0.0970142500]
        #expect(run.log.points.count == 3)
        #expect(maxDifference(run.log.points[1], [1 + e[0], 2 + e[1]]) < 1e-9)
        #expect(maxDifference(run.log.points[2], [1 - e[0], 2 - e[1]]) < 1e-9)
        var unit = try Run("crsam", base: "sgd", hp, learningRate: 1, w0: Self.w0, problem: .quartic([1, 0.5]))
        try unit.step()
        #expect(maxDifference(zip(Self.w0, unit.w).map { $0 - $1 }, [1.0763481005, 4.6280752314]) < 1e-9)
    }

    /// GSAM's ρ_t is linear in this step's learning rate and not clamped (ρ_max 0.6, ρ_min 0.1,
    /// lr_max 3e-3, lr_min 3e-5); ‖e‖ = ρ_t·‖g‖/(‖g‖ + 1e-12).
    @Test(arguments: [(3e-3, 0.6), (3e-5, 0.1), (1e-4, 0.1117845118), (0, 0.0949494949)])
    func gsamRadiusFollowsTheLearningRate(_ lr: Double, _ rho: Double) throws {
        let hp: [String: HyperparameterValue] = ["rho_max": n(0.6), "rho_min": n(0.1), "lr_max": n(3e-3), "lr_min": n(3e-5)]
        var run = try Run("gsam", base: "sgd", hp, learningRate: lr, w0: Self.w0, problem: Self.q)
        let e = try #require(try run.perturbation())
        #expect(abs(e.reduce(0) { $0 + $1 * $1 }.squareRoot() - rho) < 1e-9)
    }

    /// Adam integration (setup Q, Adam lr 0.1): two steps, each re-evaluating the direction.
    @Test(arguments: [
        ("adam", [String: HyperparameterValue](), [0.9, 1.9], [0.8004122284, 1.8001664861]),
        ("sam", ["rho": n(0.05)], [0.9, 1.9], [0.8004012921, 1.8001609880]),
        ("gsam", ["rho_max": n(0.05), "alpha": n(0.4)], [0.9, 1.9], [0.8003999281, 1.8001609741]),
        ("wsam", ["rho": n(0.05), "gamma": n(0.9), "decouple": .boolean(false)], [0.9, 1.9], [0.8003353724, 1.8001252236]),
        ("wsam", ["rho": n(0.05), "gamma": n(0.9)], [0.8190000003, 1.8280000003], [0.6447063882, 1.6536362509]),
    ])
    func twoAdamStepsMatchClosedForm(_ name: String, _ hp: [String: HyperparameterValue], _ w1: [Double], _ w2: [Double]) throws {
        var run = try Run(name, base: name == "adam" ? nil : "adam", hp, learningRate: 0.1, w0: Self.w0, problem: Self.q)
        try run.step()
        #expect(maxDifference(run.w, w1) < 1e-9, "w1 = \(run.w)")
        try run.step()
        #expect(maxDifference(run.w, w2) < 1e-9, "w2 = \(run.w)")
    }
}
