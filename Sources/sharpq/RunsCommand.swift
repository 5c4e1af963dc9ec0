import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq runs`: one row per training run.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List training runs (one row per run id), newest first.",
        discussion: """
            Model, optimizer, dataset, seed and training state come from each run's last checkpoint \
            (highest step, then newest). --where selects checkpoints as in list: a run is shown when \
            any of its checkpoints match, and counts only those.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var filter: FilterOptions

    @Option(name: .customLong("metric"), help: "Add a metric column: the run's last checkpoint's value (repeatable).")
    var metrics: [String] = []

    @Option(help: "Rows to show (0 for all).")
    var limit = 50

    func run() throws {
        try common.withIndex { index in
            let query = RunsQuery(filters: try filter.filters(), metrics: metrics, limit: limit)
            common.emit(try index.runs(query).table())
        }
    }
}
