import Foundation
import PluginHost
import TestSupport
import Testing

/// Discovery, the checks before and after dlopen, and the messages users see.
struct PluginLoaderTests {
    static let advice = "rebuild the plugin against this Sharp: swift build in its package"

    @Test func aPluginsErrorStatusHasAName() {
        #expect(PluginHostError.pluginFailed(plugin: "lookahead", operation: "perturb", status: 2, message: "no perturbation").description
            == "lookahead perturb failed, not supported by the plugin: no perturbation")
        #expect(PluginHostError.pluginFailed(plugin: "p", operation: "evaluate", status: 4, message: "").description
            == "p evaluate failed, numerical error: the plugin gave no message")
        #expect(PluginHostError.statusName(99) == "unknown status 99")
    }

    @Test func theVerboseListingShowsEachParametersBoundsAndChoices() throws {
        let table = PluginListing.table(builtins, verbose: true)
        #expect(table.contains(#"method (one of "lanczos", "power", default lanczos)"#), "\(table)")
        #expect(table.contains("k (integer ≥ 1 and ≤ 100, default 5)"), "\(table)")
        #expect(table.contains("tol (number ≥ 0, or null, default null)"), "\(table)")
        let object = try JSONSerialization.jsonObject(with: Data(PluginListing.json(builtins).utf8)) as? [String: Any]
        let eigen = (object?["plugins"] as? [[String: Any]])?.first { $0["name"] as? String == "hessian-eigen" }
        let parameters = try #require(eigen?["parameters"] as? [[String: Any]])
        let method = parameters.first { $0["name"] as? String == "method" }, k = parameters.first { $0["name"] as? String == "k" }
        #expect(method?["choices"] as? [String] == ["lanczos", "power"])
        #expect(k?["minimum"] as? Double == 1 && k?["maximum"] as? Double == 100 && k?["nullable"] as? Bool == false)
    }

    @Test func theEightBuiltInOptimizersAreFoundNextToTheExecutable() throws {
        let names = Set(builtins.plugins.filter { $0.kind == .optimizer }.map(\.name))
        #expect(names.isSuperset(of: ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"]))
        #expect(builtins.problems.filter { $0.path.contains("/lib") && $0.description.contains("sam") }.isEmpty, "\(builtins.problems)")
        let sam = try #require(builtins.plugin(.optimizer, named: "sam"))
        #expect(sam.path.hasSuffix("/libSAM.so"))
        #expect(sam.wrapsBase && !sam.canBeBase && sam.defaultBase == "adam" && sam.hasPerturbation && sam.supportsFloat64)
        #expect(sam.toolchain == Toolchain.current)
        let adam = try #require(builtins.plugin(.optimizer, named: "adam"))
        #expect(adam.canBeBase && !adam.wrapsBase && !adam.hasPerturbation)
        #expect(adam.schema.properties.map(\.name) == ["lr", "beta1", "beta2", "eps", "weight_decay"])
    }

    @Test func aPluginWrittenInCLoadsAndSteps() throws {
        let dir = try CFixture.temporaryDirectory("c-plugin")
        let path = try CFixture.build("CSGD", in: dir)
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": dir]))
        #expect(registry.problems.isEmpty, "\(registry.problems)")
        let o = try LoadedOptimizer(registry: registry, name: "sam", base: "c-sgd", layout: [.init(name: "weight", shape: [2])], elementType: Double.self)
        #expect(o.learningRate == 0.1, "lr default from the C plugin's schema")
        var w = [1.0, 2.0]
        _ = try w.withUnsafeMutableBufferPointer { try o.step(parameters: $0) { p, g, _ in g[0] = 3 * p[0]; g[1] = 2 * p[1]; return 0 } }
        #expect(maxDifference(w, [0.691, 1.592]) < 1e-9, "SAM over a C base gives the closed-form step")
        #expect(registry.plugin(.optimizer, named: "c-sgd")?.path == path)
    }

    @Test func aDescriptorOfAnotherABIVersionIsRefusedWithTheDocumentedMessage() throws {
        let dir = try CFixture.temporaryDirectory("abi")
        let path = try CFixture.build("WrongABI", in: dir, defines: ["FIXTURE_ABI=2u"])
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": path]))
        #expect(registry.plugin(.optimizer, named: "c-sgd") == nil)
        #expect(registry.problems.map(\.description)
                == ["refused plugin \(path): built for plugin ABI version 2, this Sharp expects version 1; \(Self.advice)"])
    }

    /// Declared outputs (`outputs_json`, once `reserved[0]`): read when present, NULL means none, and
    /// a malformed short name refuses the plugin with the rule.
    @Test func declaredOutputsAreReadAndCheckedWhenPresent() throws {
        let dir = try CFixture.temporaryDirectory("outputs")
        let good = try CFixture.build("Outputs", in: dir, defines: [
            #"FIXTURE_OUTPUTS="[{\"name\":\"power_top_eigenvalue\",\"short\":\"power_top\",\"summary\":\"s\"},{\"name\":\"loss\"}]""#,
        ])
        let plugin = try #require(PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": good])).plugin(.optimizer, named: "c-sgd"))
        #expect(plugin.outputs == [DeclaredOutput(name: "power_top_eigenvalue", shortName: "power_top", summary: "s"),
                                   DeclaredOutput(name: "loss", shortName: nil, summary: "")])
        #expect(try #require(builtins.plugin(.metric, named: "hessian-trace")).outputs.isEmpty)
        let bad = try CFixture.build("BadOutputs", in: dir, defines: [#"FIXTURE_OUTPUTS="[{\"name\":\"x\",\"short\":\"Top X\"}]""#])
        let problems = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": bad])).problems.map(\.description)
        #expect(problems.count == 1 && problems[0].contains(#"short name "Top X" must be lower-case letters, digits and _"#), "\(problems)")
    }

    @Test func anEntryPointOfAnotherABIVersionIsRefusedBeforeLoading() throws {
        let dir = try CFixture.temporaryDirectory("abi-symbol")
        let marker = "\(dir)/loaded"
        let path = try CFixture.build("EntryV2", in: dir, defines: ["FIXTURE_ENTRY_V2", "FIXTURE_MARKER=\"\(marker)\""])
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": dir]))
        #expect(registry.problems.map(\.description)
                == ["refused plugin \(path): built for plugin ABI version 2, this Sharp expects version 1; \(Self.advice)"])
        #expect(!FileManager.default.fileExists(atPath: marker), "the library must not have been dlopened")
    }

    @Test func anotherToolchainIsRefused() throws {
        let dir = try CFixture.temporaryDirectory("toolchain")
        let path = try CFixture.build("OtherToolchain", in: dir, defines: ["FIXTURE_TOOLCHAIN=\"clang 0.1 (elsewhere)\""])
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": path]))
        #expect(registry.problems.map(\.description)
                == ["refused plugin \(path): built with toolchain \"clang 0.1 (elsewhere)\", this Sharp with \"\(Toolchain.current)\"; \(Self.advice)"])
    }

    @Test func aSwiftToolchainOfAnotherBuildIsRefusedBeforeLoading() throws {
        let dir = try CFixture.temporaryDirectory("foreign")
        let marker = "\(dir)/loaded"
        let path = try CFixture.build("Foreign", in: dir, defines: ["FIXTURE_FOREIGN_COMMENT", "FIXTURE_MARKER=\"\(marker)\""], flags: ["-fno-ident"])
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": path]))
        let message = try #require(registry.problems.first?.description)
        #expect(message.hasPrefix("refused plugin \(path): built with toolchain \"clang version 99.0.0"))
        #expect(message.hasSuffix(Self.advice))
        #expect(!FileManager.default.fileExists(atPath: marker), "the library must not have been dlopened")
    }

    @Test func librariesWithoutAnEntryPointAreSkippedInDirectoriesAndReportedWhenNamed() throws {
        let dir = try CFixture.temporaryDirectory("not-plugin")
        let path = try CFixture.build("Helper", in: dir, defines: ["FIXTURE_NO_ENTRY"])
        #expect(PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": dir])).problems.isEmpty)
        let named = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": path])).problems.map(\.description)
        #expect(named == ["cannot load plugin \(path): exports no sharp_plugin_entry_v1: not a Sharp plugin"])
    }

    @Test func theFirstPluginFoundWinsAndLaterDuplicatesAreReported() throws {
        let dir = try CFixture.temporaryDirectory("duplicate")
        let first = try CFixture.build("CSGD", in: dir)
        let otherDir = try CFixture.temporaryDirectory("duplicate2")
        let second = try CFixture.build("CSGDAgain", in: otherDir)
        let registry = PluginRegistry(searchPath: .standard(store: nil, environment: ["SHARP_PLUGIN_PATH": "\(dir):\(otherDir)"]))
        #expect(registry.plugin(.optimizer, named: "c-sgd")?.path == first)
        #expect(registry.problems.map(\.description)
                == ["ignored plugin \(second): optimizer c-sgd is already registered from \(first) (the first one found wins)"])
    }

    @Test func theStorePluginsDirectoryIsSearchedLast() throws {
        let store = try CFixture.temporaryDirectory("store")
        try FileManager.default.createDirectory(atPath: "\(store)/plugins", withIntermediateDirectories: true)
        let path = try CFixture.build("CSGD", in: "\(store)/plugins")
        let search = PluginSearchPath.standard(store: store, environment: ["SHARP_PLUGIN_PATH": "/nonexistent"])
        #expect(search.entries.map(\.origin) == ["executable", "SHARP_PLUGIN_PATH", "store"])
        #expect(PluginRegistry(searchPath: search).plugin(.optimizer, named: "c-sgd")?.path == path)
    }
}
