import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq compare --rows optimizer --cols model --metric test_acc`: the study's tables.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Mean ± 95% CI over seeds per group, with a paired t-test against a baseline.",
        discussion: """
            Each run contributes its last matching checkpoint (highest step). Tables and Markdown \
            show the paper's layout; JSON/CSV/TSV one exact row per (row, column, metric). Seeds \
            present on one side only are named on stderr and left out of the paired test.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var filter: FilterOptions

    @Option(help: "Group rows by this field (optimizer, model, hp.rho, ...).")
    var rows = "optimizer"

    @Option(help: "Group columns by this field (e.g. model).")
    var cols: String?

    @Option(name: .customLong("metric"), help: "Metric(s) to summarise; repeat or separate with commas.")
    var metrics: [String] = ["test_acc"]

    @Option(help: "Row value the others are paired against (skipped when absent).")
    var baseline = CompareQuery.defaultBaseline

    @Option(
        help: ArgumentHelp(
            "Row values in the order shown, comma-separated; others follow, sorted.",
            discussion: "The default lists the built-in optimizers oldest first, the order the study reports them in."))
    var order = CompareQuery.defaultRowOrder.joined(separator: ",")

    @Flag(help: "Use every matching checkpoint, not only each run's last.")
    var everyCheckpoint = false

    func run() throws {
        try common.withIndex { index in
            let names = metrics.flatMap { $0.split(separator: ",").map(String.init) }
            let query = CompareQuery(
                rows: rows, cols: cols, metrics: names, filters: try filter.filters(), everyCheckpoint: everyCheckpoint)
            let samples = try index.comparisonSamples(query)
            let resolved = try names.map { try index.resolveField($0).displayName }
            let comparison = Comparison(
                samples: samples, metrics: resolved, baseline: baseline,
                rowOrder: order.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            comparison.warnings.forEach(Output.warning)
            switch common.resolvedFormat {
            case .table, .md, .auto: common.emit(comparison.pivotTable(rowKey: rows))
            default: common.emit(comparison.longTable(rowKey: rows, colKey: cols))
            }
        }
    }
}
