import CSharpPlugin
import Foundation
import PluginHost

/// An optimizer's checks, all on L(w) = ½·Σ aᵢwᵢ² (`Quadratic`), with the checker's plain-SGD base
/// under a wrapper (`ReferenceBase`).
extension PluginChecker {
    /// The quadratic the checks use.
    static let curvature: [Double] = [4, 3, 2, 1, 0.5, 0.25]
    static let start: [Double] = [1, -1, 0.5, -0.5, 2, -2]

    /// Weights after `steps` steps from `start` on ½·Σ aᵢwᵢ² in float64, with learning rate
    /// `learningRate`; a wrapper steps over plain SGD (w ← w − lr·d), so its closed form is its
    /// direction times the learning rate.
    public func quadraticSteps(curvature: [Double], start: [Double], learningRate: Double, steps: Int = 1,
                               hyperparameters: [String: String] = [:]) throws -> [Double] {
        let optimizer = try make(Double.self, count: start.count, try parse(hyperparameters))
        optimizer.learningRate = learningRate
        var w = start
        for _ in 0..<steps { _ = try step(optimizer, &w, curvature) }
        return w
    }

    /// The perturbation e(w) at `point` on ½·Σ aᵢwᵢ² in float64; nil when the optimizer has none.
    public func perturbation(curvature: [Double], at point: [Double], hyperparameters: [String: String] = [:]) throws -> [Double]? {
        guard plugin.hasPerturbation else { return nil }
        let optimizer = try make(Double.self, count: point.count, try parse(hyperparameters))
        var w = point, e = [Double](repeating: 0, count: point.count)
        _ = try w.withUnsafeMutableBufferPointer { wp in
            try e.withUnsafeMutableBufferPointer { ep in try optimizer.perturbation(parameters: wp, into: ep, oracle: Self.oracle(curvature, log: nil)) }
        }
        return e
    }

    func optimizerChecks(_ values: [String: HyperparameterValue]) -> [PluginCheckReport.Check] {
        [
            check("hyperparameters") { try hyperparameterCheck(values) },
            check("quadratic step") { try quadraticStepCheck(values) },
            check("descent") { try descentCheck(values) },
            check("float32 = float64") { try precisionCheck(values) },
            check("deterministic") { try determinismCheck(values) },
            check("state round trip") { try stateCheck(values) },
            check("perturbation") { try perturbationCheck(values) },
        ]
    }

    /// Runs `body`; a thrown `Failure` or error fails the check with its text, a `Skipped` skips it.
    func check(_ name: String, _ body: () throws -> String) -> PluginCheckReport.Check {
        do { return .init(name: name, passed: true, detail: try body()) } catch let f as Failure {
            return .init(name: name, passed: false, detail: f.text)
        } catch let s as Skipped {
            return .init(name: name, passed: true, detail: s.text, skipped: true)
        } catch {
            return .init(name: name, passed: false, detail: "\(error)")
        }
    }

    /// A failed check's text.
    struct Failure: Error { let text: String }

    /// Why a check could not run (nothing to compare); it neither passes nor fails.
    struct Skipped: Error { let text: String }

    // MARK: the checks

    private func hyperparameterCheck(_ values: [String: HyperparameterValue]) throws -> String {
        var problems = schemaProblems()
        var tried = 0
        var refused: [String] = []
        for p in plugin.schema.properties {
            var candidates: [HyperparameterValue] = []
            if let low = p.minimum { candidates.append(.number(low)) }
            if let high = p.maximum { candidates.append(.number(high)) }
            if let choices = p.choices { candidates += choices.map { .string($0) } }
            if p.type == "boolean" { candidates += [.boolean(false), .boolean(true)] }
            for value in candidates {
                tried += 1
                var set = values
                set[p.name] = value
                do { _ = try make(Float.self, count: 6, set) } catch PluginHostError.pluginFailed(_, _, let status, let message) where status == SHARP_ERROR_INVALID_ARGUMENT {
                    // SHARP_ERROR_INVALID_ARGUMENT with a message: a constraint across parameters, stated.
                    refused.append("\(p.name) = \(value) alone (\(message))")
                } catch {
                    problems.append("\(p.name) = \(value), which the schema allows, fails: \(error)")
                }
            }
            if let low = p.minimum, (try? plugin.schema.resolve([p.name: .number(low - 1)])) != nil {
                problems.append("\(p.name): the host accepts \(low - 1), below the minimum")
            }
        }
        guard problems.isEmpty else { throw Failure(text: problems.joined(separator: "; ") + "; fix the bounds in the plugin's description") }
        let note = refused.isEmpty ? "" : "; refused with a reason: " + refused.joined(separator: "; ")
        return "\(plugin.schema.properties.count) parameter(s); defaults within bounds; created at \(tried - refused.count) of \(tried) boundary value(s) and choice(s)\(note)"
    }

    private func quadraticStepCheck(_ values: [String: HyperparameterValue]) throws -> String {
        let optimizer = try make(Double.self, count: Self.start.count, values)
        optimizer.learningRate = 0.1
        var w = Self.start
        var log: [OracleCall] = []
        let report = try step(optimizer, &w, Self.curvature, log: &log)
        let declared = plugin.wrapsBase ? plugin.passesPerStep : 1
        var problems: [String] = []
        if log.count != declared { problems.append("made \(log.count) oracle call(s), declares \(declared) per step (passes_per_step)") }
        let clean = log.filter(\.clean)
        if clean.count != 1 { problems.append("\(clean.count) pass(es) marked clean; exactly one (at w, the first) may update statistics") }
        if let first = clean.first, !first.atStart { problems.append("the clean pass was not evaluated at the unchanged weights w") }
        if w.contains(where: { !$0.isFinite }) { problems.append("the weights are not finite after one step") }
        if w == Self.start { problems.append("the weights did not change") }
        let loss = Self.loss(Self.curvature, Self.start)
        if !report.loss.isNaN, abs(report.loss - loss) > 1e-12 * loss { problems.append("reported loss \(report.loss), the clean loss at w is \(loss)") }
        guard problems.isEmpty else { throw Failure(text: problems.joined(separator: "; ")) }
        let over = plugin.wrapsBase ? " over plain SGD" : ""
        return "lr 0.1\(over): \(log.count) pass(es), w = [\(w.prefix(3).map { String(format: "%.6g", $0) }.joined(separator: ", ")), …]; "
            + "compare your closed form with quadraticSteps(curvature:start:learningRate:) in a test"
    }

    private func descentCheck(_ values: [String: HyperparameterValue]) throws -> String {
        let optimizer = try make(Double.self, count: Self.start.count, values)
        optimizer.learningRate = 0.01
        var w = Self.start
        let before = Self.loss(Self.curvature, w)
        for _ in 0..<300 { _ = try step(optimizer, &w, Self.curvature) }
        let after = Self.loss(Self.curvature, w)
        guard after.isFinite, after < 0.5 * before else {
            throw Failure(text: "300 steps at lr 0.01 took the loss from \(before) to \(after); an optimizer should descend on a convex quadratic")
        }
        return String(format: "300 steps at lr 0.01: loss %.4g → %.4g", before, after)
    }

    private func precisionCheck(_ values: [String: HyperparameterValue]) throws -> String {
        guard plugin.supportsFloat64 else { return "float32 only (export a Double type too to be scored in float64)" }
        let single = try make(Float.self, count: Self.start.count, values), double = try make(Double.self, count: Self.start.count, values)
        single.learningRate = 0.1
        double.learningRate = 0.1
        var w32 = Self.start.map(Float.init), w64 = Self.start
        for _ in 0..<3 {
            _ = try step(single, &w32, Self.curvature)
            _ = try step(double, &w64, Self.curvature)
        }
        let scale = w64.map(abs).max() ?? 1
        let worst = zip(w32, w64).map { abs(Double($0) - $1) / scale }.max() ?? 0
        guard worst <= 1e-5 else { throw Failure(text: "after 3 steps float32 and float64 differ by \(worst) (relative); expected ≤ 1e-5") }
        return String(format: "3 steps: largest relative difference %.1e", worst)
    }

    private func determinismCheck(_ values: [String: HyperparameterValue]) throws -> String {
        var runs: [[Float]] = []
        for _ in 0..<2 {
            let optimizer = try make(Float.self, count: Self.start.count, values)
            optimizer.learningRate = 0.05
            var w = Self.start.map(Float.init)
            for _ in 0..<5 { _ = try step(optimizer, &w, Self.curvature) }
            runs.append(w)
        }
        guard runs[0].map(\.bitPattern) == runs[1].map(\.bitPattern) else {
            throw Failure(text: "two fresh instances took different steps from the same start; keep no hidden global state")
        }
        return "two fresh instances, 5 steps: bit-identical"
    }

    private func stateCheck(_ values: [String: HyperparameterValue]) throws -> String {
        var counts: [Int] = []
        for float64 in plugin.supportsFloat64 ? [false, true] : [false] {
            counts.append(float64 ? try roundTrip(Double.self, values) : try roundTrip(Float.self, values))
        }
        return "saved after 3 steps (\(counts[0]) tensor(s)), restored into a fresh instance: the next 3 steps are bit-identical"
            + (counts.count > 1 ? " in float32 and float64" : "")
    }

    private func roundTrip<S: OptimizerScalar & BinaryFloatingPoint>(_: S.Type, _ values: [String: HyperparameterValue]) throws -> Int {
        let first = try make(S.self, count: Self.start.count, values)
        first.learningRate = 0.05
        var w = Self.start.map { S($0) }
        for _ in 0..<3 { _ = try step(first, &w, Self.curvature) }
        let saved = try first.saveState()
        let second = try make(S.self, count: Self.start.count, values)
        second.learningRate = 0.05
        try second.loadState(saved)
        guard try second.saveState() == saved else {
            throw Failure(text: "\(S.self): loadState then saveState does not give back the saved tensors; restore every tensor saveState writes")
        }
        var a = w, b = w
        for i in 0..<3 {
            _ = try step(first, &a, Self.curvature)
            _ = try step(second, &b, Self.curvature)
            guard zip(a, b).allSatisfy({ $0 == $1 }) else {
                throw Failure(text: "\(S.self): after restoring, step \(i + 1) differs from the original's; save every state tensor the step reads in saveState (a resumed run must continue bit-identically)")
            }
        }
        return saved.filter { $0.name != "sharp.step" }.count
    }

    private func perturbationCheck(_ values: [String: HyperparameterValue]) throws -> String {
        guard plugin.hasPerturbation else {
            return plugin.wrapsBase ? "none exported: sharpness skips this optimizer (conform to PerturbingOptimizerPlugin to have one)" : "none (a base optimizer)"
        }
        let first = try make(Double.self, count: Self.start.count, values), twin = try make(Double.self, count: Self.start.count, values)
        first.learningRate = 0.05
        twin.learningRate = 0.05
        var w = Self.start, v = Self.start
        for _ in 0..<2 {
            _ = try step(first, &w, Self.curvature)
            _ = try step(twin, &v, Self.curvature)
        }
        let before = w
        var e = [Double](repeating: 0, count: w.count)
        var log: [OracleCall] = []
        _ = try w.withUnsafeMutableBufferPointer { wp in
            try e.withUnsafeMutableBufferPointer { ep in
                try first.perturbation(parameters: wp, into: ep, oracle: Self.oracle(Self.curvature, start: before) { log.append($0) })
            }
        }
        var problems: [String] = []
        if w != before { problems.append("it changed the weights") }
        if e.contains(where: { !$0.isFinite }) { problems.append("e is not finite") }
        if log.contains(where: \.clean) { problems.append("a pass was marked clean; every pass of a perturbation must be .perturbed") }
        _ = try step(first, &w, Self.curvature)
        _ = try step(twin, &v, Self.curvature)
        if w != v { problems.append("the next step differs from a twin's that was not asked for a perturbation: perturbation changed the state") }
        guard problems.isEmpty else { throw Failure(text: problems.joined(separator: "; ")) }
        let norm = e.map { $0 * $0 }.reduce(0, +).squareRoot()
        return String(format: "‖e‖ = %.4g after 2 steps, %d pass(es); weights and state unchanged", norm, log.count)
    }

    // MARK: running steps

    /// A fresh instance for `count` parameters (over the reference base when it wraps one).
    func make<S: OptimizerScalar>(_: S.Type, count: Int, _ values: [String: HyperparameterValue]) throws -> LoadedOptimizer {
        let layout = [ParameterLayoutEntry(name: "w", shape: [count])]
        let base = plugin.wrapsBase
            ? try LoadedOptimizer(plugin: ReferenceBase.plugin, base: nil, layout: layout, elementType: S.self, hyperparameters: [:]) : nil
        return try LoadedOptimizer(plugin: plugin, base: base, layout: layout, elementType: S.self, hyperparameters: values)
    }

    /// One oracle call as the checker saw it.
    struct OracleCall {
        let clean: Bool
        let atStart: Bool
    }

    static func loss(_ a: [Double], _ w: [Double]) -> Double { 0.5 * zip(a, w).reduce(0) { $0 + $1.0 * $1.1 * $1.1 } }

    /// The quadratic's oracle in `S`; `log` sees each call.
    static func oracle<S: OptimizerScalar & BinaryFloatingPoint>(_ a: [Double], start: [S]? = nil, log: ((OracleCall) -> Void)?) -> GradientOracle<S> {
        { p, g, pass in
            var loss = 0.0
            for i in 0..<p.count {
                let x = Double(p[i])
                g[i] = S(a[i] * x)
                loss += 0.5 * a[i] * x * x
            }
            log?(OracleCall(clean: pass.updatesStatistics, atStart: start.map { Array(p) == $0 } ?? false))
            return loss
        }
    }

    func step<S: OptimizerScalar & BinaryFloatingPoint>(_ optimizer: LoadedOptimizer, _ w: inout [S], _ a: [Double]) throws -> StepReport {
        var ignored: [OracleCall] = []
        return try step(optimizer, &w, a, log: &ignored)
    }

    func step<S: OptimizerScalar & BinaryFloatingPoint>(_ optimizer: LoadedOptimizer, _ w: inout [S], _ a: [Double],
                                                       log: inout [OracleCall]) throws -> StepReport {
        let start = w
        var calls: [OracleCall] = []
        let report = try w.withUnsafeMutableBufferPointer { wp in
            try optimizer.step(parameters: wp, oracle: Self.oracle(a, start: start) { calls.append($0) })
        }
        log += calls
        return report
    }
}
