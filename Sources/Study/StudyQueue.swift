import Foundation
import Index
import PluginHost

/// `sharp study --distributed` (docs/fleet.md §7): instead of training its cells here, the study
/// puts every unfinished cell on the index's training queue, where daemons started with
/// `sharpd --train` on any host claim them, one at a time each, and train them into the shared
/// store (resuming from a cell's last intermediate checkpoint if its first host died). This
/// waits until every cell is finished or has failed for good.
struct StudyQueue {
    let plan: StudyPlan
    let layout: StudyLayout
    var log: (String) -> Void = { _ in }
    /// How often the queue is read.
    var pollInterval: TimeInterval = 2
    /// How long no daemon may train before the log says how to start one.
    var idleHint: TimeInterval = 30
    /// Gives up after this long (the report is written with the cells that finished).
    var waitTimeout: TimeInterval = 7 * 24 * 3600

    /// What became of the cells.
    struct Outcome {
        /// Final checkpoints, in plan order.
        var finished: [String] = []
        /// Cells that failed for good or did not finish in time, with the reason.
        var unfinished: [(cell: StudyCell, reason: String)] = []
        /// Cells that were finished before (not queued).
        var alreadyFinished = 0
    }

    /// Queues the unfinished cells and waits for them.
    func run(registry: PluginRegistry) throws -> Outcome {
        // Records plan.json (or refuses a folder trained with other settings) before any daemon
        // trains a cell into it.
        _ = try StudyTrainer(plan: plan, layout: layout, registry: registry)
        let index = try IndexStore(layout.index)
        var outcome = Outcome()
        var queued = 0
        for cell in plan.cells {
            if layout.finalCheckpoint(of: cell) != nil {
                outcome.alreadyFinished += 1
                continue
            }
            if try index.enqueueTraining(runID: cell.runID, study: plan.name, specJSON: plan.trainingSpec(for: cell), at: Date()) {
                queued += 1
            }
        }
        log("distributed: \(queued) cell(s) queued for `sharpd --train` on the hosts of \(layout.index), "
            + "\(outcome.alreadyFinished) finished before")
        let start = Date()
        var lastLine = "", idleSince = Date(), hinted = false
        while true {
            var runs = Dictionary(try index.trainingJobs(study: plan.name).map { ($0.runID, $0) }, uniquingKeysWith: { $1 })
            let open = plan.cells.filter { Self.finalCheckpoint(of: $0, layout: layout, run: runs[$0.runID]) == nil }
            // Done, but its checkpoint is gone (deleted, or quarantined as unreadable): train it again.
            for cell in open where runs[cell.runID]?.state == .done {
                try index.enqueueTraining(runID: cell.runID, study: plan.name, specJSON: plan.trainingSpec(for: cell), at: Date())
                runs[cell.runID]?.state = .queued
                log("distributed: \(cell.runID) was done but its final checkpoint is gone; queued again")
            }
            let running = open.compactMap { runs[$0.runID] }.filter { $0.state == .running }
            let failed = open.compactMap { cell in runs[cell.runID].flatMap { $0.state == .failed ? (cell, $0) : nil } }
            let waiting = open.count - running.count - failed.count
            let hosts = Set(running.compactMap { $0.worker?.split(separator: ":").first.map(String.init) }).sorted()
            let line = "distributed: \(plan.cells.count - open.count)/\(plan.cells.count) cells finished, \(running.count) training"
                + (hosts.isEmpty ? "" : " (on \(hosts.joined(separator: ", ")))") + ", \(waiting) waiting, \(failed.count) failed"
            if line != lastLine {
                log(line)
                lastLine = line
            }
            if !running.isEmpty { idleSince = Date() }
            if waiting == 0 && running.isEmpty {
                outcome.unfinished = failed.map { ($0.0, $0.1.error ?? "failed") }
                for (cell, reason) in outcome.unfinished { log("distributed: \(cell.runID) failed: \(reason)") }
                break
            }
            if !hinted, Date().timeIntervalSince(idleSince) > idleHint {
                log("distributed: no daemon is training; start `sharpd --train --store \(layout.store)` with this index on a host")
                hinted = true
            }
            if Date().timeIntervalSince(start) > waitTimeout {
                outcome.unfinished = open.map { ($0, "not finished after \(Int(waitTimeout)) s") }
                log("distributed: gave up waiting after \(Int(waitTimeout)) s; the report shows the finished cells")
                break
            }
            usleep(UInt32(pollInterval * 1_000_000))
        }
        let runs = Dictionary(try index.trainingJobs(study: plan.name).map { ($0.runID, $0) }, uniquingKeysWith: { $1 })
        outcome.finished = plan.cells.compactMap { Self.finalCheckpoint(of: $0, layout: layout, run: runs[$0.runID]) }
        return outcome
    }

    /// A cell's final checkpoint: in the study folder as this host lists it, or where its run
    /// says it put it (a shared filesystem may list a new file late, but a named one is looked up).
    static func finalCheckpoint(of cell: StudyCell, layout: StudyLayout, run: TrainingJob?) -> String? {
        if let path = layout.finalCheckpoint(of: cell) { return path }
        guard let run, run.state == .done, let path = run.checkpoint, FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }
}
