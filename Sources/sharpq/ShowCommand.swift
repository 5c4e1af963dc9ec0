import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq show 3fa9`: one checkpoint and everything recorded about it.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one checkpoint: fields, paths, every metric row, series and jobs.",
        discussion: "JSON gives the whole record; CSV/TSV/JSONL give its metric rows; tables give both.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "A content-hash prefix (unique), a path, or a file name.")
    var checkpoint: String

    func run() throws {
        try common.withIndex { index in
            let detail = try index.checkpointDetail(prefix: checkpoint)
            switch common.resolvedFormat {
            case .json:
                Output.write(detail.json().text + "\n")
            case .table, .md, .auto:
                common.emit(detail.fieldsTable())
                Output.write("\n")
                common.emit(detail.metricsTable())
                if !detail.jobs.isEmpty {
                    Output.write("\n")
                    common.emit(detail.jobs.table())
                }
            case .csv, .tsv, .jsonl:
                common.emit(detail.metricsTable())
            }
        }
    }
}
