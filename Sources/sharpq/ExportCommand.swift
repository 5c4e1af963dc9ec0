import ArgumentParser
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq export`: every checkpoint and metric value, for pandas.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every checkpoint with its current metric values (wide), or one row per metric (--long).",
        discussion: """
            Wide: the checkpoint fields, hp.* keys, then one column per metric (missing: empty; NaN: \
            NaN). --long: one row per (checkpoint, metric) with stderr, plugin version, params hash, \
            seconds and hvp count. Rows are written as they are read. --format auto means csv here; \
            exact numbers in csv/tsv/json/jsonl. pandas: pd.read_csv(path).
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var filter: FilterOptions

    @Option(name: .customLong("metric"), help: "Only these metrics (repeat or separate with commas; default: all).")
    var metrics: [String] = []

    @Flag(help: "One row per (checkpoint, metric) instead of one per checkpoint.")
    var long = false

    func run() throws {
        try common.withIndex { index in
            let plan = try index.exportPlan(ExportQuery(filters: try filter.filters(), metrics: metrics, long: long))
            let format = common.format == .auto ? OutputFormat.csv : common.resolvedFormat
            let stream = ResultStream(
                columns: plan.columns, format: format, color: common.useColor,
                meta: [("shape", .string(long ? "long" : "wide"))], write: Output.write)
            try index.exportRows(plan) { stream.append($0) }
            stream.finish()
        }
    }
}
