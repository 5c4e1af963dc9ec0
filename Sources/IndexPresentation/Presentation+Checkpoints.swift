import Index
import IndexQueries
import Foundation

/// Turning query results into `ResultTable`s with fixed column orders (DVC issue 7312: columns
/// must not move between calls).
extension TopResult {
    /// `checkpoint, created_at, run_id, model, optimizer, seed, epoch, <metric>, stderr, plugin_version, provenance`
    /// (columns added later go last, so scripts reading by position keep working).
    public func table() -> ResultTable {
        let name = metric.displayName
        let order = ascending ? "smallest first" : "largest first"
        return ResultTable(
            columns: [
                "checkpoint", "created_at", "run_id", "model", "optimizer", "seed", "epoch", name, "stderr", "plugin_version",
                "provenance",
            ],
            rows: rows.map { row in
                let c = row.checkpoint
                return [
                    .text(String(c.sha256.prefix(12))), .time(c.createdAt), .text(c.runID), .text(c.model),
                    .text(c.optimizer), .seed(c.seed), .integer(c.epoch),
                    .metric(row.reading.value), .number(row.reading.standardError), .text(row.reading.pluginVersion),
                    .text(c.provenance),
                ]
            },
            total: total,
            title: "\(name) (\(metric.plugin):\(metric.name)), \(order); NaN and missing last — \(rows.count) of \(total)",
            meta: [
                ("metric", .string(name)), ("plugin", .string(metric.plugin)), ("output", .string(metric.name)),
                ("order", .string(ascending ? "asc" : "desc")),
            ])
    }
}

extension ListResult {
    /// Identity and training columns, then hyperparameters (sorted keys), then the metrics asked
    /// for, in that order. `onlyChanged` keeps `checkpoint` and metrics plus whatever varies.
    public func table(onlyChanged: Bool = false) -> ResultTable {
        let hyperparameters = rows.map { $0.hyperparameters.mapValues(ResultCell.init) }
        let keys = Set(hyperparameters.flatMap(\.keys)).sorted()
        let fixed = [
            "checkpoint", "created_at", "run_id", "model", "optimizer", "base_optimizer", "dataset", "seed", "epoch",
            "step", "training_loss", "training_accuracy", "status", "provenance",
        ]
        let metricNames = metrics.map(\.displayName)
        let table = ResultTable(
            columns: fixed + keys.map { "hp.\($0)" } + metricNames,
            rows: zip(rows, hyperparameters).map { row, hp in
                let c = row.checkpoint
                let identity: [ResultCell] = [
                    .text(String(c.sha256.prefix(12))), .time(c.createdAt), .text(c.runID), .text(c.model),
                    .text(c.optimizer), .text(c.baseOptimizer), .text(c.dataset), .seed(c.seed),
                    .integer(c.epoch), .integer(c.step), .number(c.trainingLoss), .number(c.trainingAccuracy), .text(c.status),
                    .text(c.provenance),
                ]
                return identity + keys.map { hp[$0] ?? .null } + row.readings.map { .metric($0.value) }
            },
            total: total)
        return onlyChanged ? table.onlyChanged(keeping: Set(["checkpoint"] + metricNames)) : table
    }
}

extension Array where Element == MetricSummary {
    /// `metric, plugin, output, versions, checkpoints, nan`.
    public func table() -> ResultTable {
        ResultTable(
            columns: ["metric", "plugin", "output", "versions", "checkpoints", "nan"],
            rows: map { s in
                [
                    .text(s.metric.displayName), .text(s.metric.plugin), .text(s.metric.name),
                    .text(s.versions.joined(separator: ",")), .integer(Int64(s.checkpoints)), .integer(Int64(s.nanCount)),
                ]
            })
    }
}

extension Array where Element == MetricSummary {
    /// Adds the catalog's short names that have no rows yet (count 0), after the present ones.
    public func addingCatalog() -> [MetricSummary] {
        let present = Set(map { "\($0.metric.plugin):\($0.metric.name)" })
        return self
            + MetricCatalog.entries.filter { !present.contains("\($0.plugin):\($0.output)") }.map {
                MetricSummary(
                    metric: MetricRef(plugin: $0.plugin, name: $0.output, alias: $0.alias), versions: [], checkpoints: 0,
                    nanCount: 0)
            }
    }
}
