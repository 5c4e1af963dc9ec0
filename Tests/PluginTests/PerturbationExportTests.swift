import CSharpPlugin
@testable import PluginKit
import Testing

/// An optimizer exports a `perturb` entry exactly when it conforms to `PerturbingOptimizerPlugin`:
/// a wrapper without one (Lookahead) exports a NULL entry, which the host's `sharpness` skips.
struct PerturbationExportTests {
    final class Plain<Scalar: PluginScalar>: OptimizerPlugin {
        static var description: PluginDescription { PluginDescription(name: "plain", version: "0", summary: "", parameters: []) }
        static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 1) }
        init(layout: ParameterLayout, hyperparameters: Hyperparameters) throws {}
        func step(_ c: StepContext<Scalar>) throws -> StepResult { StepResult(loss: 0) }
    }

    final class Perturbing<Scalar: PluginScalar>: PerturbingOptimizerPlugin {
        static var description: PluginDescription { PluginDescription(name: "perturbing", version: "0", summary: "", parameters: []) }
        static var role: OptimizerRole { .wrapper(defaultBase: "adam", passesPerStep: 1) }
        init(layout: ParameterLayout, hyperparameters: Hyperparameters) throws {}
        func step(_ c: StepContext<Scalar>) throws -> StepResult { StepResult(loss: 0) }
        func perturbation(_ c: StepContext<Scalar>, into e: UnsafeMutableBufferPointer<Scalar>) throws -> StepResult { StepResult(loss: 0) }
    }

    /// The vtable `PluginExport.optimizer` would export (that function exports once per process).
    static func table(_ f: any OptimizerPlugin.Type, _ d: any OptimizerPlugin.Type) -> sharp_optimizer_vtable_v1 {
        OptimizerVTable.descriptor(float32: f, float64: d).pointee.optimizer!.pointee
    }

    @Test func onlyAPerturbingOptimizerExportsAPerturbEntry() {
        #expect(Self.table(Plain<Float>.self, Plain<Double>.self).perturb == nil)
        #expect(Self.table(Perturbing<Float>.self, Perturbing<Double>.self).perturb != nil)
    }
}
