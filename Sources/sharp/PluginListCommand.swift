import ArgumentParser
import CommandLineSupport
import PluginHost

/// `sharp plugin list` (or `sharp plugins`): every plugin found, and why anything was refused.
struct PluginListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the optimizer and metric plugins found, with versions, paths and parameters.",
        discussion: """
            Searched in order: the directory of the sharp executable, each entry of SHARP_PLUGIN_PATH \
            (colon-separated directories or .so files), then <store>/plugins/. The first plugin of a \
            kind and name wins. Plugins of another ABI version or toolchain are listed as refused, \
            with the fix.
            """
    )

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Option(name: .customLong("store"), help: "Store whose plugins/ directory is searched last (default: SHARP_STORE).") var storeArgument: String?
    /// --store, else SHARP_STORE.
    var store: String? { StoreArgument.optional(storeArgument) }
    @Option(help: "table, json or csv.") var format: Format = .table
    @Flag(help: "Table: also describe every parameter.") var verbose = false

    func run() throws {
        let registry = PluginRegistry(store: store)
        switch format {
        case .table: print(PluginListing.table(registry, verbose: verbose))
        case .json: print(PluginListing.json(registry))
        case .csv: print(PluginListing.csv(registry))
        }
    }
}
