import ArgumentParser
import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// `sharpq status`: what the daemon is doing to the store.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether sharpd runs on the store, checkpoints by status, the job queue and quarantined files.",
        discussion: """
            The daemon counts as running when a process holds the lock on <store>/.sharpd.lock \
            (sharpd.pid alone is not trusted). table: a short summary with the running jobs and the \
            last failures; json: everything; csv/tsv/jsonl/md: key/value rows (jobs.runnable, ...).
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Recent failed jobs to show.")
    var failures = 5

    func run() throws {
        try common.withIndex { index in
            let status = try index.storeStatus(store: common.store, failures: failures)
            switch common.resolvedFormat {
            case .table: Output.write(status.summary(color: common.useColor))
            case .json: Output.write(status.json().text + "\n")
            default: common.emit(status.keyValueTable())
            }
        }
    }
}
