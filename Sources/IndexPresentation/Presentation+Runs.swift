import Index
import IndexQueries
import Foundation

extension RunsResult {
    /// `run_id, last_created_at, model, optimizer, base_optimizer, dataset, seed, checkpoints,
    /// last_epoch, training_accuracy, training_loss, elapsed_seconds, stop_reason, last_checkpoint`,
    /// then the metrics asked for (the last checkpoint's values).
    public func table() -> ResultTable {
        ResultTable(
            columns: [
                "run_id", "last_created_at", "model", "optimizer", "base_optimizer", "dataset", "seed", "checkpoints",
                "last_epoch", "training_accuracy", "training_loss", "elapsed_seconds", "stop_reason", "last_checkpoint",
            ] + metrics.map(\.displayName),
            rows: runs.map { run in
                let c = run.last
                return [
                    .text(run.runID), .time(run.lastCreatedAt), .text(c.model), .text(c.optimizer), .text(c.baseOptimizer),
                    .text(c.dataset), .seed(c.seed), .integer(run.checkpoints), .integer(run.lastEpoch),
                    .number(c.trainingAccuracy), .number(c.trainingLoss), .number(c.elapsedSeconds), .text(run.stopReason),
                    .text(String(c.sha256.prefix(12))),
                ] + run.readings.map { .metric($0.value) }
            },
            total: total,
            title: "runs, newest first; training state from each run's last checkpoint — \(runs.count) of \(total)")
    }
}
