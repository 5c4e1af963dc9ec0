import Index
import Foundation

extension IndexStore {
    /// Identity columns of a wide export, in `CheckpointField.all` order (`checkpoint` is the full
    /// hash here: exports are joined on it).
    static let exportIdentity = CheckpointField.all.map(\.name)
    /// Identity columns repeated on every row of a long export.
    static let exportLongIdentity = [
        "checkpoint", "created_at", "run_id", "model", "optimizer", "base_optimizer", "dataset", "seed", "epoch", "step",
    ]
    /// Per-metric columns of a long export.
    static let exportLongMetric = [
        "metric", "plugin", "output", "plugin_version", "params_hash", "value", "stderr", "hvp_count", "seconds",
        "recorded_at",
    ]

    /// Resolves the metrics and fixes the columns: identity fields, `hp.*` keys of the matching
    /// checkpoints (sorted), then one column per metric (catalog order, then the rest by name);
    /// or, `long`, the identity subset and the metric row's provenance.
    public func exportPlan(_ query: ExportQuery) throws -> ExportPlan {
        let condition = try condition(for: query.filters)
        let metrics: [MetricRef]
        if query.metrics.isEmpty {
            let recorded = try presentMetrics()
            let present = recorded.map { MetricCatalog.ref(plugin: $0.plugin, name: $0.name, present: recorded) }
            let catalog = MetricCatalog.entries
            func rank(_ m: MetricRef) -> Int {
                catalog.firstIndex { $0.plugin == m.plugin && $0.output == m.name } ?? catalog.count
            }
            metrics = present.enumerated()
                .sorted { a, b in (rank(a.element), a.offset) < (rank(b.element), b.offset) }.map(\.element)
        } else {
            var seen = Set<MetricRef>()
            metrics = try query.metrics.flatMap { $0.split(separator: ",").map(String.init) }.map(resolveMetric)
                .filter { seen.insert($0).inserted }
        }
        let keys = query.long ? [] : try db.rows(
            """
            SELECT DISTINCT j.key FROM checkpoints AS c, \(db.dialect.jsonKeys(checkpointHyperparameters))
            WHERE c.hyperparameters IS NOT NULL AND \(condition.sql) ORDER BY j.key
            """, condition.params
        ).compactMap { $0[0].string }
        let count = try db.scalar("SELECT count(*) FROM checkpoints AS c WHERE \(condition.sql)", condition.params)
        let columns = query.long
            ? Self.exportLongIdentity + Self.exportLongMetric
            : Self.exportIdentity + keys.map { "hp.\($0)" } + metrics.map(\.displayName)
        return ExportPlan(
            columns: columns, metrics: metrics, checkpointCount: Int(count.int64 ?? 0), hyperparameterKeys: keys,
            condition: condition, long: query.long)
    }

    /// Streams the export's rows, newest checkpoint first (as `list`), in batches of about
    /// `batchSize` rows, inside one read transaction (one consistent snapshot).
    public func exportRows(_ plan: ExportPlan, batchSize: Int = 2_000, _ body: ([[ResultCell]]) throws -> Void) throws {
        let fields = CheckpointField.all
        let sql = """
            SELECT c.id, c.hyperparameters, \(fields.map { "c.\($0.column)" }.joined(separator: ", "))
            FROM checkpoints AS c WHERE \(plan.condition.sql) ORDER BY c.created_at \(db.dialect.descending), c.sha256
            """
        let wanted = Dictionary(
            uniqueKeysWithValues: plan.metrics.enumerated().map { ("\($0.element.plugin)\u{0}\($0.element.name)", $0.offset) })
        let longHead = Self.exportLongIdentity.compactMap { name in fields.firstIndex { $0.name == name } }
        try db.transaction(.read) {
            var batch: [[ResultCell]] = []
            try db.forEachRow(sql, plan.condition.params, cached: false) { row in
                let id = row[0].int64 ?? 0
                let identity = fields.enumerated().map { Self.exportCell(row[$0.offset + 2], field: $0.element) }
                if plan.long {
                    let head = longHead.map { identity[$0] }
                    let rows = try metricRows(checkpointID: id).compactMap { m -> (Int, [ResultCell])? in
                        guard let position = wanted["\(m.metric.plugin)\u{0}\(m.metric.name)"] else { return nil }
                        return (position, head + [
                            .text(m.metric.displayName), .text(m.metric.plugin), .text(m.metric.name), .text(m.pluginVersion),
                            .text(m.paramsHash), .metric(m.value), .number(m.standardError), .integer(m.hvpCount),
                            .number(m.seconds), .time(m.recordedAt),
                        ])
                    }
                    batch += rows.sorted { $0.0 < $1.0 }.map(\.1)
                } else {
                    var values = [ResultCell](repeating: .null, count: plan.metrics.count)
                    for (key, value) in try currentValues(checkpointID: id) {
                        if let position = wanted[key] { values[position] = value }
                    }
                    let hp = try hyperparameters(row[1].string).mapValues(ResultCell.init)
                    batch.append(identity + plan.hyperparameterKeys.map { hp[$0] ?? .null } + values)
                }
                if batch.count >= batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
                return true
            }
            if !batch.isEmpty { try body(batch) }
        }
    }

    /// The whole export as one table (tests, small indexes).
    public func export(_ query: ExportQuery) throws -> ResultTable {
        let plan = try exportPlan(query)
        var rows: [[ResultCell]] = []
        try exportRows(plan) { rows += $0 }
        return ResultTable(columns: plan.columns, rows: rows)
    }

    /// A checkpoint column as an export cell: times as ISO 8601, seeds unsigned.
    static func exportCell(_ value: SQLValue, field: CheckpointField) -> ResultCell {
        switch field.name {
        case "created_at", "indexed_at": return .time(value.date)
        case "seed", "split_seed": return .seed(value.int64.map { UInt64(bitPattern: $0) })
        default: return ResultCell(value)
        }
    }

    /// `plugin NUL name` → current value (NaN as NaN), from the covering `metrics_current` index.
    private func currentValues(checkpointID: Int64) throws -> [(String, ResultCell)] {
        try db.rows(
            """
            SELECT plugin, name, value FROM metrics\(db.dialect.indexedBy("metrics_current"))
            WHERE checkpoint_id = ? AND is_current = 1
            """, [.integer(checkpointID)]
        ).map { r in ("\(r[0].string ?? "")\u{0}\(r[1].string ?? "")", r[2].double.map { .number($0) } ?? .number(.nan)) }
    }

    /// A checkpoint's current metric rows with their provenance, by plugin and name.
    private func metricRows(checkpointID: Int64) throws -> [CheckpointDetail.StoredMetric] {
        let present = try presentMetrics()
        return try db.rows(
            """
            SELECT \(CheckpointDetail.StoredMetric.columns)
            FROM metrics\(db.dialect.indexedBy("metrics_current")) WHERE checkpoint_id = ? AND is_current = 1
            ORDER BY plugin, name
            """, [.integer(checkpointID)]
        ).map { CheckpointDetail.StoredMetric(row: $0, isCurrent: true, present: present) }
    }
}
