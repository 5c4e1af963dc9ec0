import PluginHost
import Testing

/// Hyperparameters are checked by the host against each plugin's schema, routed between a wrapper
/// and its base, and recorded with their defaults.
struct HyperparameterTests {
    static let layout = [ParameterLayoutEntry(name: "weight", shape: [2])]

    @Test func defaultsAreFilledInAndRecordedInDeclarationOrder() throws {
        let o = try LoadedOptimizer(registry: builtins, name: "wsam", layout: Self.layout)
        #expect(o.hyperparametersJSON == #"{"rho":0.05,"gamma":0.9,"decouple":true,"max_norm":null,"adaptive":false}"#)
        #expect(o.base?.plugin.name == "adam")
        #expect(o.compositeName == "wsam+adam")
        #expect(o.learningRate == 1e-3)
    }

    @Test func keysGoToTheWrapperFirstThenTheBase() throws {
        let o = try LoadedOptimizer(registry: builtins, name: "sam", base: "sgd", layout: Self.layout,
                                    hyperparameters: ["rho": n(0.1), "lr": n(0.5), "momentum": n(0.9), "base.weight_decay": n(1e-4)])
        #expect(o.hyperparameters["rho"] == n(0.1))
        #expect(o.base?.hyperparameters["momentum"] == n(0.9))
        #expect(o.base?.hyperparameters["weight_decay"] == n(1e-4))
        #expect(o.learningRate == 0.5)
    }

    @Test func unknownKeysAndBadValuesNameThePluginAndTheKey() throws {
        let cases: [(String, [String: HyperparameterValue], String)] = [
            ("sam", ["rhoo": n(0.1)], "unknown hyperparameter rhoo"),
            ("sam", ["rho": n(-1)], "rho = -1 must be ≥ 0"),
            ("wsam", ["gamma": n(1)], "gamma = 1 must be < 1"),
            ("asam", ["variant": .string("paper")], "variant must be one of official, davda54, big-vision"),
            ("sgd", ["nesterov": n(1)], "nesterov expects a boolean"),
            ("sam", ["rho": .null], "rho cannot be null"),
        ]
        for (name, hp, message) in cases {
            #expect { try LoadedOptimizer(registry: builtins, name: name, layout: Self.layout, hyperparameters: hp) } throws: { error in
                "\(error)".contains(message) && "\(error)".hasPrefix(name)
            }
        }
    }

    @Test func commandLineTextIsParsedByTheDeclaredType() throws {
        let schema = try #require(builtins.plugin(.optimizer, named: "wsam")).schema
        #expect(try schema.parse("0.2", for: "rho") == n(0.2))
        #expect(try schema.parse("false", for: "decouple") == .boolean(false))
        #expect(try schema.parse("null", for: "max_norm") == .null)
        #expect(throws: (any Error).self) { try schema.parse("lots", for: "rho") }
    }

    @Test func compositionMistakesAreRefused() {
        #expect(throws: PluginHostError.self) { try LoadedOptimizer(registry: builtins, name: "adam", base: "sgd", layout: Self.layout) }
        #expect(throws: PluginHostError.self) { try LoadedOptimizer(registry: builtins, name: "sam", base: "gsam", layout: Self.layout) }
        #expect(throws: PluginHostError.self) { try LoadedOptimizer(registry: builtins, name: "lion", layout: Self.layout) }
    }
}
