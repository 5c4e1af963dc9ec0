import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq list`: checkpoints with identity columns, newest first.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List checkpoints (identity, training state, hyperparameters, chosen metrics).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var filter: FilterOptions

    @Option(name: .customLong("metric"), help: "Add a metric column (repeatable, in this order).")
    var metrics: [String] = []

    @Flag(help: "Hide columns that are the same in every row shown (checkpoint and metrics stay).")
    var onlyChanged = false

    @Option(help: "Rows to show (0 for all).")
    var limit = 50

    func run() throws {
        try common.withIndex { index in
            let query = ListQuery(filters: try filter.filters(), metrics: metrics, limit: limit)
            common.emit(try index.listCheckpoints(query).table(onlyChanged: onlyChanged))
        }
    }
}
