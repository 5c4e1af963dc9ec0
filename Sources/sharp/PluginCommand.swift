import ArgumentParser
import Foundation
import PluginHost

/// `sharp plugin`: list the plugins (the default subcommand) or create one. `sharp plugins`, the
/// listing's old name, stays an alias, so `sharp plugins --format json` in scripts still works.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "List the plugins found, or create one (see docs/writing-plugins.md).",
        subcommands: [PluginListCommand.self, PluginNewCommand.self],
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
            Writes NAME/ with Package.swift (depending on this Sharp's PluginKit), a working example \
            (a SAM-style optimizer, or a metric reporting the gradient norm and top Hessian eigenvalue) \
            and a README. Then: cd NAME && swift build -c release, and point SHARP_PLUGIN_PATH at \
            .build/release (or copy the .so into <store>/plugins/).
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

            next: cd \(directory) && swift build -c release
                  SHARP_PLUGIN_PATH=$PWD/.build/release sharp plugins
            """)
    }
}
