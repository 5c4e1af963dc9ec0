import Foundation
import PluginHost
import TestSupport
import Testing

/// `sharp plugin new` scaffolds an out-of-tree package that builds with `swift build` against this
/// checkout's PluginKit and loads through SHARP_PLUGIN_PATH. Each test runs a real SwiftPM build
/// (tens of seconds).
struct ScaffoldTests {
    /// Runs `executable arguments` in `directory`, returning status and combined output.
    static func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = "\(directory)/.test-output.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static var swift: String {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" } + ["/opt/swift/usr/bin/swift"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swift"
    }

    /// Scaffolds a plugin package in `parent` and runs its generated tests (`swift test` builds the
    /// library and runs Sharp's checks on it through PluginCheck); returns the directory holding its .so.
    static func scaffoldAndBuild(_ kind: PluginKind, _ name: String, in parent: String) throws -> String {
        let files = try PluginScaffold.create(kind: kind, name: name, in: parent, sharpPackage: packageRoot)
        #expect(files.contains { $0.hasSuffix("Package.swift") } && files.contains { $0.hasSuffix("Tests.swift") })
        let package = "\(parent)/\(name)"
        let (status, output) = try run(swift, ["test"], in: package)
        #expect(status == 0, "swift test in the scaffolded \(kind) package failed:\n\(output.suffix(3000))")
        #expect(output.contains("passesSharpsChecks() passed"), "\(output.suffix(3000))")
        return "\(package)/.build/debug"
    }

    @Test(.timeLimit(.minutes(10)))
    func scaffoldedOptimizerBuildsLoadsAndSteps() throws {
        let parent = try CFixture.temporaryDirectory("scaffold")
        defer { try? FileManager.default.removeItem(atPath: parent) }  // a loaded library stays mapped
        let products = try Self.scaffoldAndBuild(.optimizer, "lookahead-sam", in: parent)
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": products]))
        let plugin = try #require(registry.plugin(.optimizer, named: "lookahead-sam"), "\(registry.problems)")
        #expect(plugin.path.hasSuffix("/libLookaheadSam.so"))
        #expect(plugin.wrapsBase && plugin.defaultBase == "adam" && plugin.version == "0.1.0")

        // N steps on a 1,000-parameter quadratic through the host, over the default Adam base.
        let count = 1000
        let a = (0..<count).map { 0.5 + Float($0 % 7) }
        let optimizer = try LoadedOptimizer(registry: registry, name: "lookahead-sam", layout: [.init(name: "w", shape: [count])],
                                            hyperparameters: ["rho": .number(0.01)])
        optimizer.learningRate = 0.05
        var w = [Float](repeating: 1, count: count)
        var losses: [Double] = []
        for _ in 0..<60 {
            let report = try w.withUnsafeMutableBufferPointer { wp in
                try optimizer.step(parameters: wp) { p, g, _ in
                    var loss = 0.0
                    for i in 0..<count { g[i] = a[i] * p[i]; loss += 0.5 * Double(a[i] * p[i] * p[i]) }
                    return loss
                }
            }
            #expect(report.passes == 2)
            losses.append(report.loss)
        }
        #expect(losses.last! < 0.05 * losses.first!, "loss \(losses.first!) → \(losses.last!)")

        // The CLI sees it through the same variable.
        let sharp = (PluginSearchPath.executableDirectory() ?? "") + "/sharp"
        if FileManager.default.isExecutableFile(atPath: sharp) {
            let (status, output) = try Self.run(
                sharp, ["plugin", "list", "--format", "csv"], in: products, environment: ["SHARP_PLUGIN_PATH": products])
            #expect(status == 0)
            #expect(output.contains("optimizer,lookahead-sam,0.1.0,wraps adam,2,rho=0.05 sync_every=5 alpha=0.5,\(plugin.path)"), "\(output)")
            // `sharp plugins`, the listing's older name, is an alias.
            let alias = try Self.run(sharp, ["plugins", "--format", "csv"], in: products, environment: ["SHARP_PLUGIN_PATH": products])
            #expect(alias.0 == 0 && alias.1 == output)

            // And `sharp train` trains one epoch with it, writing a checkpoint that names it.
            let store = "\(parent)/store"
            let (trained, log) = try Self.run(
                sharp, ["train", "--model", "mlp", "--image-size", "32", "--optimizer", "lookahead-sam", "--epochs", "1", "--store", store],
                in: parent, environment: ["SHARP_PLUGIN_PATH": products])
            #expect(trained == 0, "sharp train with the scaffolded optimizer failed:\n\(log.suffix(2000))")
            #expect(log.contains("epoch   1/1"), "\(log.suffix(2000))")
            let written = (try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []
            #expect(written.contains { $0.hasPrefix("mlp-lookahead-sam-") && $0.hasSuffix(".ckpt.tar.zst") }, "\(written)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func scaffoldedMetricBuildsLoadsAndReports() throws {
        let parent = try CFixture.temporaryDirectory("scaffold")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let products = try Self.scaffoldAndBuild(.metric, "curvature-probe", in: parent)
        let registry = PluginRegistry(searchPath: .standard(environment: ["SHARP_PLUGIN_PATH": products]))
        let plugin = try #require(registry.plugin(.metric, named: "curvature-probe"), "\(registry.problems)")
        // L = ½wᵀAw with A = diag(3, 2, 1): gradient Aw, H·v = Av, top eigenvalue 3.
        let a = [3.0, 2.0, 1.0], w = [1.0, -1.0, 2.0]
        let callbacks = MetricCallbacks(
            loss: { _, p in
                let x = p.map(Array.init) ?? w
                return (0.5 * zip(a, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }, nil)
            },
            gradient: { _, p, g in
                let x = p.map(Array.init) ?? w
                for i in 0..<3 { g[i] = a[i] * x[i] }
                return 0.5 * zip(a, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
            },
            hessianVectorProduct: { _, _, v, hv in for i in 0..<3 { hv[i] = a[i] * v[i] } })
        let results = try plugin.evaluateMetric(parameters: w, layout: [.init(name: "w", shape: [3])], seed: 1, sampleCount: 8,
                                                hyperparameters: ["iterations": .number(80), "tol": .number(0)], callbacks: callbacks)
        let byName = Dictionary(uniqueKeysWithValues: results.scalars.map { ($0.name, $0) })
        #expect(abs(try #require(byName["loss"]).value - 4.5) < 1e-12)
        #expect(abs(try #require(byName["gradient_norm"]).value - (9.0 + 4 + 4).squareRoot()) < 1e-12)
        let top = try #require(byName["power_top_eigenvalue"])
        // PowerIteration normalises as PyHessian does, v/(‖v‖ + 1e-6): a relative bias of about 2e-6.
        #expect(abs(top.value - 3) < 1e-5 && top.hvpCount == 80)
    }
}
