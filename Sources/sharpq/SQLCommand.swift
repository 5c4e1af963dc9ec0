import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq sql "SELECT …" -p name value`: the read-only escape hatch.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run one read-only SQL statement against the index (tables: docs/index-and-queries.md).")

    @OptionGroup var common: CommonOptions

    @Argument(help: "One SELECT (or WITH …) statement; refer to parameters as :name.")
    var statement: String

    @Option(name: .customShort("p"), parsing: .upToNextOption, help: ArgumentHelp("Bind :NAME to VALUE.", valueName: "name value"))
    var parameters: [String] = []

    func validate() throws {
        if parameters.count % 2 != 0 { throw ValidationError("-p takes a name and a value") }
    }

    func run() throws {
        let pairs = stride(from: 0, to: parameters.count, by: 2).map { (parameters[$0], parameters[$0 + 1]) }
        try common.withIndex { index in
            common.emit(try index.readOnlyQuery(statement, parameters: Dictionary(pairs, uniquingKeysWith: { $1 })))
        }
    }
}
