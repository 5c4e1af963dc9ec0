import ArgumentParser
import CommandLineSupport
import Foundation
import PluginCheck
import PluginHost

/// `sharp plugin`: list the plugins (the default subcommand) or create one. `sharp plugins`, the
/// listing's old name, stays an alias, so `sharp plugins --format json` in scripts still works.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "List the plugins found, create one, or check one (see docs/writing-plugins.md).",
        subcommands: [PluginListCommand.self, PluginNewCommand.self, PluginCheckCommand.self],
        defaultSubcommand: PluginListCommand.self,
        aliases: ["plugins"]
    )
}

/// `sharp plugin new optimizer|metric NAME`: scaffold an out-of-tree plugin package.
struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a Swift package that builds an optimizer or metric plugin against this Sharp.",
        discussion: """
            Writes NAME/ with Package.swift (depending on this Sharp's PluginKit and PluginCheck), a working \
            example (SAM inside Lookahead, or a metric reporting the gradient norm and top Hessian eigenvalue), \
            tests that pass as generated, and a README. Then: cd NAME && swift test && swift build -c release, \
            and point SHARP_PLUGIN_PATH at .build/release (or copy the .so into <store>/plugins/).
            """
    )

    @Argument(help: "optimizer or metric.") var kind: String
    @Argument(help: "Plugin name: lower-case letters, digits and -, e.g. lookahead-sam.") var name: String
    @Option(help: "Directory to create the package in.") var output = "."
    @Option(help: "Sharp source checkout to build against (default: SHARP_SOURCE, else the one this sharp was built from).")
    var sharp: String?

    func validate() throws {
        guard PluginKind(rawValue: kind) != nil else { throw ValidationError("KIND must be optimizer or metric, not \(kind)") }
    }

    func run() throws {
        guard let sharpPackage = sharp ?? PluginScaffold.locateSharpPackage() else {
            throw ValidationError("cannot find the Sharp source this sharp was built from; pass --sharp PATH or set SHARP_SOURCE")
        }
        let absolute = URL(fileURLWithPath: sharpPackage).standardizedFileURL.path
        let files = try PluginScaffold.create(kind: PluginKind(rawValue: kind)!, name: name, in: output, sharpPackage: absolute)
        for f in files { print("wrote \(f)") }
        let directory = (output as NSString).appendingPathComponent(name)
        print("""

            next: cd \(directory) && swift test && swift build -c release
                  SHARP_PLUGIN_PATH=$PWD/.build/release sharp plugins
            """)
    }
}

/// `sharp plugin check PATH.so`: load a plugin as the host does and run the checks of its kind
/// (`PluginChecker`); exit 1 when one fails.
struct PluginCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load a plugin library as Sharp does and test it: ABI, bounds, a quadratic step, state round trip, a known spectrum.",
        discussion: """
            An optimizer gets: hyperparameter bounds, one step on a quadratic (passes, the clean pass), descent, \
            float32 against float64, determinism, a bit-exact save and restore of its state, and its perturbation. \
            A metric gets: bounds, a dense Hessian with known eigenvalues (outputs named lambda_max, trace, … are \
            compared), finite and deterministic values, honest HVP counts. Exit status 1 when a check fails.
            Example: sharp plugin check .build/release/libLookaheadSam.so --set sync_every=1
            """
    )

    @Argument(help: "The plugin's shared library (.so).") var library: String
    @Option(name: .customLong("set"), help: "A hyperparameter for every check, KEY=VALUE (repeatable).") var values: [String] = []

    func run() throws {
        var hyperparameters: [String: String] = [:]
        for item in values {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("--set \(item): give KEY=VALUE")
            }
            hyperparameters[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        let checker: PluginChecker
        do { checker = try PluginChecker(library: library) } catch {
            throw CommandFailure("sharp plugin check: \(error)")
        }
        let report = checker.run(hyperparameters: hyperparameters)
        print(report)
        if !report.passed { throw ExitCode(1) }
    }
}
