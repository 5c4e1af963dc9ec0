import ArgumentParser
import Index
import IndexPresentation
import IndexQueries
import Statistics

extension JobState: ExpressibleByArgument {}

/// `sharpq jobs`: the daemon's queue.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Job counts per plugin version, or the jobs in one state (failures with reasons).")

    @OptionGroup var common: CommonOptions

    @Option(help: "List jobs in this state (queued, running, done, failed) instead of counts.")
    var state: JobState?

    @Option(help: "Rows to show with --state (0 for all).")
    var limit = 50

    func run() throws {
        try common.withIndex { index in
            guard let state else {
                let summaries = try index.jobSummaries()
                common.emit(summaries.table())
                let failed = summaries.reduce(0) { $0 + ($1.counts[.failed] ?? 0) }
                if failed > 0 { Output.note("\(failed) failed job(s): sharpq jobs --state failed shows why\n") }
                return
            }
            let (jobs, total) = try index.jobs(state: state, limit: limit)
            common.emit(jobs.table(total: total))
        }
    }
}
