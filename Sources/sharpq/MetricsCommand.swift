import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq metrics`: what can be ranked and compared.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List every metric in the index with its short name, plugin, versions and counts.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Also list short names the catalog knows that nothing has recorded yet.")
    var all = false

    func run() throws {
        try common.withIndex { index in
            let present = try index.metricSummaries()
            common.emit((all ? present.addingCatalog() : present).table())
        }
    }
}
