import CSharpPlugin
import Foundation
import PluginHost

/// Tests a plugin the way Sharp's host runs it, outside Sharp's repository: `sharp plugin check
/// PATH.so` prints its report, and a plugin package's own tests use it (`sharp plugin new` writes
/// such tests). docs/writing-plugins.md §4.
///
/// The library is loaded as the host loads it (entry point, ABI version, toolchain, descriptor).
/// An optimizer then gets: hyperparameter bounds, one step on a quadratic (passes, the clean pass,
/// the reported loss), descent, float32 against float64, determinism, a bit-exact save and restore
/// of its state, and its perturbation. A metric gets: hyperparameter bounds, a Hessian with known
/// eigenvalues, finite and deterministic outputs, honest HVP counts.
public final class PluginChecker {
    /// The library file.
    public let path: String
    /// The plugin's registered name and version.
    public var name: String { plugin.name }
    public var version: String { plugin.version }
    /// `optimizer` or `metric`.
    public var kind: String { plugin.kind.rawValue }

    let plugin: LoadedPlugin

    /// Loads `path` as the host would; throws the host's refusal (one line naming the fix).
    public init(library path: String) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw PluginCheckError("\(absolute): no such file; build the plugin first (swift build)")
        }
        switch PluginLoader.load(path: absolute) {
        case nil: throw PluginCheckError("\(absolute) exports no sharp_plugin_entry_v1: not a Sharp plugin")
        case .failure(let refusal): throw PluginCheckError("\(refusal)")
        case .success(let loaded): plugin = loaded
        }
        self.path = absolute
    }

    /// `lib<product>.so` in the build directory of the running process: a package's tests find
    /// their own plugin with it (`swift test` builds the library next to the test binary).
    public static func builtLibrary(_ product: String) -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib\(product).so")
    }

    /// Every check for the plugin's kind, with `hyperparameters` (`key: value` as typed on a
    /// command line) applied over the defaults.
    public func run(hyperparameters: [String: String] = [:]) -> PluginCheckReport {
        var checks = [PluginCheckReport.Check(name: "loads", passed: true, detail: loadDetail)]
        do {
            let values = try parse(hyperparameters)
            switch plugin.kind {
            case .optimizer: checks += optimizerChecks(values)
            case .metric: checks += metricChecks(values)
            }
        } catch {
            checks.append(.init(name: "hyperparameters", passed: false, detail: "\(error)"))
        }
        return PluginCheckReport(plugin: "\(plugin.kind.rawValue) \(plugin.name) \(plugin.version)", path: path, checks: checks)
    }

    private var loadDetail: String {
        let precision = plugin.kind == .optimizer ? (plugin.supportsFloat64 ? ", float32 and float64" : ", float32 only") : ""
        return "ABI v\(SHARP_PLUGIN_ABI_VERSION), this Sharp's toolchain, descriptor complete\(precision)"
    }

    /// Typed values for `texts`, checked against the plugin's schema.
    func parse(_ texts: [String: String]) throws -> [String: HyperparameterValue] {
        var values: [String: HyperparameterValue] = [:]
        for (key, text) in texts { values[key] = try plugin.schema.parse(text, for: key) }
        _ = try plugin.schema.resolve(values)
        return values
    }

    /// Schema-level checks shared by both kinds: each default lies within its bounds and choices.
    func schemaProblems() -> [String] {
        plugin.schema.properties.compactMap { p in
            guard case .number(let value) = p.defaultValue else {
                if case .string(let s) = p.defaultValue, let choices = p.choices, !choices.contains(s) {
                    return "\(p.name): default \(s) is not one of \(choices.joined(separator: ", "))"
                }
                return nil
            }
            if let low = p.minimum, value < low { return "\(p.name): default \(value) below its minimum \(low)" }
            if let high = p.maximum, value > high { return "\(p.name): default \(value) above its maximum \(high)" }
            if let high = p.exclusiveMaximum, value >= high { return "\(p.name): default \(value) not below its exclusive maximum \(high)" }
            return nil
        }
    }
}

/// A refusal or a misuse of the checker, as one line.
public struct PluginCheckError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// What `PluginChecker.run` found.
public struct PluginCheckReport: CustomStringConvertible, Sendable {
    /// One check.
    public struct Check: Sendable {
        public let name: String
        /// False when it failed; true when it passed or was skipped.
        public let passed: Bool
        /// What was measured, or what is wrong and how to fix it.
        public let detail: String
        /// Not run (the plugin needs what the checker cannot give); `detail` says why.
        public var skipped = false
    }

    /// `optimizer NAME VERSION`.
    public let plugin: String
    public let path: String
    public let checks: [Check]

    /// True when every check passed.
    public var passed: Bool { checks.allSatisfy(\.passed) }

    /// One line per check, then a verdict.
    public var description: String {
        let width = checks.map(\.name.count).max() ?? 0
        let lines = checks.map {
            ($0.skipped ? "skip  " : $0.passed ? "ok    " : "FAIL  ") + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.detail
        }
        let failed = checks.filter { !$0.passed }.count, skipped = checks.filter(\.skipped).count
        let verdict = failed == 0
            ? (skipped == 0 ? "all \(checks.count) checks passed" : "\(checks.count - skipped) checks passed, \(skipped) skipped")
            : "\(failed) of \(checks.count) checks failed"
        return (["\(plugin) (\(path))"] + lines + [verdict]).joined(separator: "\n")
    }
}
