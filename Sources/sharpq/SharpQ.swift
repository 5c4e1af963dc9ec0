import ArgumentParser
import BuildInfo
import CommandLineSupport

/// `sharpq`: questions over the index `sharpd` fills (docs/index-and-queries.md).
@main
struct SharpQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpq",
        abstract: "Query the Sharp index: rank, list, show, compare and export scored checkpoints; daemon status.",
        discussion: """
            Reads <store>/index.sqlite read-only. Data commands take --format \
            table|json|jsonl|csv|tsv|md (default: a table on a terminal, TSV in a pipe) and \
            --color auto|always|never (NO_COLOR is honoured). --store DIR may also come before the \
            subcommand. Exit codes: 0 ok, 1 failure, 2 usage (unknown names, bad --where).
            """,
        version: BuildInfo.description,
        subcommands: [
            TopCommand.self, ListCommand.self, RunsCommand.self, ShowCommand.self, MetricsCommand.self,
            CompareCommand.self, JobsCommand.self, StatusCommand.self, ExportCommand.self, SQLCommand.self, ServeCommand.self,
        ]
    )

    /// Exit codes 0/1/2 like `sharp` and `sharpd`; `sharpq --store DIR top ...` works too.
    static func main() {
        let arguments = LeadingOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst()), names: ["--store", "--index"])
        ExitCodes.run(Self.self, arguments: arguments)
    }
}
