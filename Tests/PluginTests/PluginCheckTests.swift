import Foundation
import PluginCheck
import PluginHost
import TestSupport
import Testing

/// `PluginChecker` (`sharp plugin check`): it passes every built-in plugin, computes closed forms,
/// and each check fails on the defect it is for.
struct PluginCheckTests {
    static func checker(_ kind: PluginKind, _ name: String) throws -> PluginChecker {
        try PluginChecker(library: try #require(builtins.plugin(kind, named: name)).path)
    }

    static func check(_ report: PluginCheckReport, _ name: String) throws -> PluginCheckReport.Check {
        try #require(report.checks.first { $0.name == name }, "\(report)")
    }

    @Test(arguments: ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"])
    func everyBuiltInOptimizerPasses(_ name: String) throws {
        let report = try Self.checker(.optimizer, name).run()
        #expect(report.passed, "\(report)")
        #expect(report.checks.map(\.name) == [
            "loads", "hyperparameters", "quadratic step", "descent", "float32 = float64", "deterministic", "state round trip", "perturbation",
        ])
    }

    @Test(arguments: ["hessian-eigen", "hessian-trace", "accuracy"])
    func theBuiltInCurvatureMetricsPassAndAreCompared(_ name: String) throws {
        let report = try Self.checker(.metric, name).run()
        #expect(report.passed, "\(report)")
        let compared = try Self.check(report, "known spectrum").detail
        #expect(compared.contains("exact"), "\(compared)")
    }

    /// A metric whose outputs have no name with a known value is not "ok" on that check: skipped.
    @Test func nothingToCompareIsASkippedCheck() throws {
        let report = try Self.checker(.metric, "sharpness").run()
        let spectrum = try Self.check(report, "known spectrum")
        #expect(spectrum.skipped && spectrum.passed && report.passed, "\(report)")
        #expect(report.description.contains("skip  known spectrum") && report.description.hasSuffix("5 checks passed, 1 skipped"), "\(report)")
    }

    /// SAM over plain SGD, one step: w₁ = w − lr·a∘(w + ρ·g/‖g‖), g = a∘w.
    @Test func aStepAndAPerturbationHaveTheirClosedForms() throws {
        let sam = try Self.checker(.optimizer, "sam")
        let a = [3.0, 2.0], w = [1.0, 2.0], lr = 0.1, rho = 0.05
        let g = zip(a, w).map(*), norm = (g[0] * g[0] + g[1] * g[1]).squareRoot()
        let stepped = try sam.quadraticSteps(curvature: a, start: w, learningRate: lr, hyperparameters: ["rho": "0.05"])
        let e = try #require(try sam.perturbation(curvature: a, at: w))
        for i in 0..<2 {
            #expect(abs(stepped[i] - (w[i] - lr * a[i] * (w[i] + rho * g[i] / (norm + 1e-12)))) <= 1e-14)
            #expect(abs(e[i] - rho * g[i] / (norm + 1e-12)) <= 1e-15)
        }
        #expect(try Self.checker(.optimizer, "adam").perturbation(curvature: a, at: w) == nil)
    }

    @Test func eachDefectFailsItsCheck() throws {
        let directory = try CFixture.temporaryDirectory("check")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // State that save_state never sees: the resumed run diverges.
        let hidden = try PluginChecker(library: try CFixture.build("hidden", in: directory, defines: ["FIXTURE_HIDDEN_STATE"])).run()
        #expect(!hidden.passed)
        #expect(hidden.checks.filter { !$0.passed }.map(\.name) == ["state round trip"], "\(hidden)")
        #expect(try Self.check(hidden, "state round trip").detail.contains("save every state tensor"))

        // A default outside its own bounds.
        let schema = #"{\"type\":\"object\",\"properties\":{\"lr\":{\"type\":\"number\",\"default\":5,\"maximum\":1}}}"#
        let bounds = try PluginChecker(library: try CFixture.build("bounds", in: directory, defines: [#"FIXTURE_SCHEMA="\#(schema)""#])).run()
        #expect(try !Self.check(bounds, "hyperparameters").passed, "\(bounds)")
        #expect(try Self.check(bounds, "hyperparameters").detail.contains("lr: default 5.0 above its maximum 1.0"))

        // A wrapper without a perturbation passes, and says what that means.
        let wrapper = try PluginChecker(library: try CFixture.build("wrapper", in: directory, defines: ["FIXTURE_WRAPPER"])).run()
        #expect(wrapper.passed, "\(wrapper)")
        #expect(try Self.check(wrapper, "perturbation").detail.contains("sharpness skips this optimizer"))

        // Too few Lanczos steps for this spectrum: the eigenvalues are wrong.
        let eigen = try Self.checker(.metric, "hessian-eigen")
        let wrong = eigen.run(hyperparameters: ["max_steps": "4", "k": "2"])
        #expect(try !Self.check(wrong, "known spectrum").passed, "\(wrong)")
        #expect(!wrong.description.isEmpty && wrong.description.hasSuffix("checks failed"))
    }

    @Test func aMissingFileOrANonPluginIsAOneLineError() throws {
        #expect(throws: PluginCheckError.self) { try PluginChecker(library: "/nonexistent/libNope.so") }
        do { _ = try PluginChecker(library: "/nonexistent/libNope.so") } catch {
            #expect("\(error)" == "/nonexistent/libNope.so: no such file; build the plugin first (swift build)")
        }
        let directory = try CFixture.temporaryDirectory("check")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let other = try CFixture.build("other", in: directory, defines: ["FIXTURE_NO_ENTRY"])
        do { _ = try PluginChecker(library: other); Issue.record("a library without an entry point was accepted") } catch {
            #expect("\(error)".contains("exports no sharp_plugin_entry_v1"))
        }
    }
}
