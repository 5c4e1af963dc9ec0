import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq top --metric trace`: checkpoints ranked by one metric.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Rank checkpoints by a metric (largest first; NaN and missing always last).",
        discussion: "Ties: newer checkpoint first, then by hash. Unknown metric names exit 2 and list the closest.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var filter: FilterOptions

    @Option(help: "Metric: a short name (trace, lambda_max, test_acc, ...), plugin:output, or an output name.")
    var metric: String

    @Flag(help: "Smallest first.")
    var asc = false

    @Option(help: "Rows to show (0 for all).")
    var limit = 20

    func run() throws {
        try common.withIndex { index in
            let query = TopQuery(metric: metric, ascending: asc, limit: limit, filters: try filter.filters())
            common.emit(try index.top(query).table())
        }
    }
}
