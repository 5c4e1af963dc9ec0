import Datasets
import Foundation
import Index

/// Jobs whose checkpoint's dataset was missing (`WorkerReport.Failure.dataMissing`) fail with
/// `waitingForData` in front of their error; the daemon looks for the data again at start-up and
/// every minute (where it was, above the checkpoint, under the data roots: docs/datasets.md), and
/// queues those jobs again once it is there.
extension Daemon {
    /// The error prefix of jobs that wait for their dataset.
    static let waitingForData = "waiting for data: "

    /// Seconds between looks for missing data.
    static let dataCheckInterval: TimeInterval = 60

    /// Queues again the failed jobs of every checkpoint whose dataset was missing and is found now.
    func retryJobsWaitingForDataIfDue(now: Date = Date()) throws {
        guard nextDataCheck <= now else { return }
        nextDataCheck = now.addingTimeInterval(Self.dataCheckInterval)
        for c in try index.checkpointsWithFailedJobs(errorPrefix: Self.waitingForData) {
            guard let json = c.datasetSpec, let spec = try? JSONDecoder().decode(DatasetSpec.self, from: Data(json.utf8)),
                (try? spec.located(checkpoint: c.path, dataRoots: DatasetSpec.dataRoots(given: []))) != nil
            else { continue }
            let retried = try index.retryFailedJobs(RetryFilter(checkpoint: c.sha256, errorPrefix: Self.waitingForData), at: now)
            log.info("\(c.path ?? c.sha256): its dataset is there again; \(retried) job(s) queued again")
        }
    }
}
