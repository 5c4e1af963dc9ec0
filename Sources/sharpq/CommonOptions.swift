import ArgumentParser
import CommandLineSupport
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

extension OutputFormat: ExpressibleByArgument {}
extension ColorMode: ExpressibleByArgument {}

/// `--store`, `--format`, `--color`: mounted by every data command.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: "The store directory holding index.sqlite (default: SHARP_STORE, else store/).")
    var storeArgument: String?

    /// The store: --store, else SHARP_STORE, else `store/`.
    var store: String { StoreArgument.resolve(storeArgument, fallback: "store/") }

    @Option(help: "The index instead: postgres://USER@HOST/DB or an index.sqlite path (default: SHARP_INDEX_URL, else the store's).")
    var index: String?

    @Option(help: "Output format: auto, table, json, jsonl, csv, tsv or md (auto: table on a terminal, else tsv).")
    var format: OutputFormat = .auto

    @Option(help: "ANSI colour: auto (terminal and no NO_COLOR), always or never.")
    var color: ColorMode = .auto

    private var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The concrete format.
    var resolvedFormat: OutputFormat { format.resolved(stdoutIsTerminal: isTerminal) }

    /// Opens the index read-only and runs `body`, turning index errors into a message on stderr
    /// and an exit code (2 for the user's input, via ExitCodes; 1 otherwise).
    func withIndex(_ body: (IndexStore) throws -> Void) throws {
        do {
            try body(try IndexStore(try IndexLocation.resolve(index: index, store: store), mode: .readOnly))
        } catch let error as IndexError {
            Output.error(error.message)
            throw error.isUsageError ? ExitCode.validationFailure : ExitCode.failure
        }
    }

    /// Whether to write ANSI colour.
    var useColor: Bool { color.isEnabled(stdoutIsTerminal: isTerminal, environment: ProcessInfo.processInfo.environment) }

    /// Renders a table in the chosen format and colour.
    func emit(_ table: ResultTable) {
        let rendered = table.render(as: resolvedFormat, color: useColor)
        Output.write(rendered.stdout)
        Output.note(rendered.stderr)
    }
}

/// `--where` (repeatable, ANDed).
struct FilterOptions: ParsableArguments {
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "A condition KEY=VALUE (also != < <= > >=, or 'KEY in A,B'); repeat to AND.", valueName: "condition"))
    var conditions: [String] = []

    /// The parsed conditions.
    func filters() throws -> [Filter] { try conditions.map { try Filter(parsing: $0) } }
}

/// stdout/stderr writes (unbuffered, so data and notes interleave as written).
enum Output {
    static func write(_ text: String) {
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    static func note(_ text: String) {
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
    }

    static func error(_ message: String) { note("sharpq: error: \(message)\n") }

    static func warning(_ message: String) { note("sharpq: warning: \(message)\n") }
}
