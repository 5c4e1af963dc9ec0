import ArgumentParser
import CommandLineSupport
import Daemon
import Foundation
import Glibc
import Index
import PluginHost
import Study

/// Trains one claimed cell of a distributed study (started by `sharpd --train`, docs/fleet.md
/// §7), resuming from the cell's last intermediate checkpoint if an earlier host got that far,
/// and records it done only while it still holds the run's lease.
struct TrainCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-cell", abstract: "Train a claimed study cell (started by sharpd --train).", shouldDisplay: false)
    @Option var store: String
    @Option var worker: String
    @Option var job: Int64

    func run() throws {
        dup2(2, 1)  // everything this process prints goes to the daemon's log
        WorkerLifeline.exitWhenDaemonDies()
        // The daemon hands its index to workers in SHARP_INDEX_URL.
        let location = try IndexLocation.resolve(index: nil, store: store)
        let index = try IndexStore(location)
        guard let claimed = try index.trainingJob(id: job), claimed.state == .running, claimed.worker == worker else {
            throw CommandFailure("sharpd train-cell: training job \(job) is no longer held by \(worker)")
        }
        let path: String
        do {
            let (plan, cell) = try StudyPlan.fromTrainingSpec(claimed.specJSON)
            let trainer = try StudyTrainer(
                plan: plan, layout: StudyLayout(store: store, name: plan.name, index: location), registry: PluginRegistry(store: store))
            trainer.log = { FileHandle.standardError.write(Data("sharpd: train: \($0)\n".utf8)) }
            // Cut off for longer than the lease, another host resumed the cell: its checkpoint wins.
            trainer.mayFinish = { [job, worker] in try index.holdsTraining(id: job, worker: worker) }
            path = try trainer.train(cell).path
        } catch let error as IndexError where error.isTransient {
            throw CommandFailure("sharpd train-cell: \(claimed.runID): \(error)")  // the daemon retries the run
        } catch {
            // The run itself cannot be trained (bad data, an unknown model): retrying will not help.
            try? index.failTraining(id: job, worker: worker, reason: "\(error)", retryAt: nil, at: Date())
            throw CommandFailure("sharpd train-cell: \(claimed.runID): \(error)")
        }
        guard try index.completeTraining(id: job, worker: worker, checkpoint: path, at: Date()) else {
            throw CommandFailure("sharpd train-cell: \(claimed.runID) was taken back before it was recorded done (its lease ran out)")
        }
    }
}
