import Index
import Foundation

extension IndexStore {
    /// The checkpoint columns `CheckpointSummary` is read from (18 columns, alias `c`).
    static let summaryColumns = """
        c.id, c.sha256, c.path, c.status, c.run_id, c.created_at, c.model, c.optimizer, c.base_optimizer,
        c.dataset, c.seed, c.epoch, c.step, c.training_loss, c.training_accuracy, c.elapsed_seconds,
        c.hyperparameters, c.provenance
        """
    /// How many columns `summaryColumns` names: what a query selects after them starts here.
    static let summaryColumnCount = 18

    static func summary(_ r: [SQLValue]) -> CheckpointSummary {
        CheckpointSummary(
            id: r[0].int64 ?? 0, sha256: r[1].string ?? "", path: r[2].string ?? "", status: r[3].string ?? "",
            runID: r[4].string, createdAt: r[5].date, model: r[6].string, optimizer: r[7].string,
            baseOptimizer: r[8].string, dataset: r[9].string, seed: r[10].int64.map { UInt64(bitPattern: $0) },
            epoch: r[11].int64.map { Int($0) }, step: r[12].int64.map { Int($0) }, trainingLoss: r[13].double,
            trainingAccuracy: r[14].double, elapsedSeconds: r[15].double, hyperparametersJSON: r[16].string,
            provenance: r[17].string)
    }

    /// Reads `value, is_nan, stderr, plugin_version` starting at column `at` (all NULL: missing).
    static func reading(_ r: [SQLValue], at i: Int) -> MetricReading {
        let version = r[i + 3].string
        guard version != nil else { return .missing }
        let value: MetricValue = r[i + 1].int64 == 1 ? .nan : r[i].double.map { .number($0) } ?? .missing
        return MetricReading(value: value, standardError: r[i + 2].double, pluginVersion: version)
    }

    /// Checkpoints ranked by one metric (`sharpq top`). Three passes, each an index walk that a `LIMIT` stops
    /// early: numbers in metric order (`metrics_ranking`), then NaN (the same index, value NULL), then
    /// checkpoints without the metric (`checkpoints_by_time`). Ties: newer checkpoint, then hash.
    /// `offset` skips rows of the whole ranking: a pass that ends inside the skipped part is counted,
    /// and the next pass skips what is left.
    public func top(_ query: TopQuery) throws -> TopResult {
        // One read transaction: the passes, their counts and the total see the same index.
        try db.transaction(.read) { try rankedPage(query) }
    }

    private func rankedPage(_ query: TopQuery) throws -> TopResult {
        let metric = try resolveMetric(query.metric)
        let condition = try condition(for: query.filters)
        let limit = query.limit > 0 ? query.limit : Int.max
        let ref: [SQLValue] = [.text(metric.plugin), .text(metric.name)]
        let ranked = """
            SELECT %COLUMNS FROM metrics AS m\(db.dialect.indexedBy("metrics_ranking")) JOIN checkpoints AS c ON c.id = m.checkpoint_id
            WHERE m.plugin = ? AND m.name = ? AND m.is_current = 1 AND m.value IS %NULL AND \(condition.sql)
            """
        let order = "m.value \(query.ascending ? "ASC" : "DESC"), "  // NULL (NaN) rows come in a pass of their own
        let missing = """
            SELECT %COLUMNS FROM checkpoints AS c\(db.dialect.indexedBy("checkpoints_by_time"))
            WHERE NOT EXISTS (SELECT 1 FROM metrics AS fm\(db.dialect.indexedBy("metrics_current"))
                              WHERE fm.checkpoint_id = c.id AND fm.plugin = ? AND fm.name = ? AND fm.is_current = 1)
              AND \(condition.sql)
            """
        let passes: [(from: String, order: String, columns: String)] = [
            (ranked.replacingOccurrences(of: "%NULL", with: "NOT NULL"), order, "m.value, m.is_nan, m.stderr, m.plugin_version"),
            (ranked.replacingOccurrences(of: "%NULL", with: "NULL"), "", "m.value, m.is_nan, m.stderr, m.plugin_version"),
            (missing, "", "NULL, NULL, NULL, NULL"),
        ]
        var rows: [[SQLValue]] = []
        var skip = max(0, query.offset)
        for pass in passes where rows.count < limit {
            let params = ref + condition.params
            let found = try db.rows(
                pass.from.replacingOccurrences(of: "%COLUMNS", with: "\(Self.summaryColumns), \(pass.columns)")
                    + " ORDER BY \(pass.order)c.created_at \(db.dialect.descending), c.sha256 LIMIT ? OFFSET ?",
                params + [.integer(limit == .max ? .max : Int64(limit - rows.count)), .integer(Int64(skip))])
            rows += found
            guard skip > 0 else { continue }
            // This pass held fewer rows than were left to skip, or ended on this page: skip the rest.
            let passCount = found.isEmpty
                ? Int(try db.scalar(pass.from.replacingOccurrences(of: "%COLUMNS", with: "count(*)"), params).int64 ?? 0)
                : skip + found.count
            skip = max(0, skip - passCount)
        }
        let total = try db.scalar("SELECT count(*) FROM checkpoints AS c WHERE \(condition.sql)", condition.params)
        return TopResult(
            metric: metric, ascending: query.ascending,
            rows: rows.map { TopRow(checkpoint: Self.summary($0), reading: Self.reading($0, at: Self.summaryColumnCount)) },
            total: Int(total.int64 ?? 0))
    }

    /// Checkpoints with identity columns and chosen metrics (`sharpq list`).
    public func listCheckpoints(_ query: ListQuery) throws -> ListResult {
        let metrics = try query.metrics.map(resolveMetric)
        let condition = try condition(for: query.filters)
        let rows = try db.rows(
            """
            SELECT \(Self.summaryColumns) FROM checkpoints AS c WHERE \(condition.sql)
            ORDER BY c.created_at \(db.dialect.descending), c.sha256 LIMIT ? OFFSET ?
            """, condition.params + [.integer(query.limit > 0 ? Int64(query.limit) : Int64.max), .integer(Int64(max(0, query.offset)))])
        let total = try db.scalar("SELECT count(*) FROM checkpoints AS c WHERE \(condition.sql)", condition.params)
        let listed = try rows.map { row -> ListRow in
            let summary = Self.summary(row)
            return ListRow(
                checkpoint: summary, readings: try metrics.map { try currentReading($0, checkpointID: summary.id) },
                hyperparameters: try hyperparameters(summary.hyperparametersJSON))
        }
        return ListResult(metrics: metrics, rows: listed, total: Int(total.int64 ?? 0))
    }

    /// The keys of a manifest's hyperparameters as queries see them (`flatHyperparameters`),
    /// typed as the backend's JSON functions type them (`SQLDialect.jsonEntries`).
    func hyperparameters(_ json: String?) throws -> [String: SQLValue] {
        guard let json else { return [:] }
        var result: [String: SQLValue] = [:]
        let flat = db.dialect.flatHyperparameters(db.dialect == .postgres ? "CAST(?1 AS TEXT)" : "?1")
        for row in try db.rows(db.dialect.jsonEntries(flat), [.text(json)]) {
            guard let key = row[0].string else { continue }
            switch row[1].string {
            case "true": result[key] = .text("true")
            case "false": result[key] = .text("false")
            case "null": result[key] = .null
            default: result[key] = [row[2], row[3], row[4]].first { !$0.isNull } ?? .null
            }
        }
        return result
    }

    /// A checkpoint's current value of one metric.
    public func currentReading(_ metric: MetricRef, checkpointID: Int64) throws -> MetricReading {
        guard
            let row = try db.row(
                """
                SELECT value, is_nan, stderr, plugin_version FROM metrics\(db.dialect.indexedBy("metrics_current"))
                WHERE checkpoint_id = ? AND plugin = ? AND name = ? AND is_current = 1
                """, [.integer(checkpointID), .text(metric.plugin), .text(metric.name)])
        else { return .missing }
        return Self.reading(row, at: 0)
    }

    /// Every metric present, with counts (`sharpq metrics`): counts come from the covering `metrics_ranking`
    /// index.
    public func metricSummaries() throws -> [MetricSummary] {
        var versions: [String: [String]] = [:]
        for row in try db.rows("SELECT plugin, name, plugin_version FROM metric_names ORDER BY plugin, name, plugin_version") {
            versions[(row[0].string ?? "") + ":" + (row[1].string ?? ""), default: []].append(row[2].string ?? "")
        }
        let recorded = try presentMetrics()
        return try recorded.map { present in
            let counts = try db.row(
                """
                SELECT count(*), count(*) - count(value) FROM metrics\(db.dialect.indexedBy("metrics_ranking"))
                WHERE plugin = ? AND name = ? AND is_current = 1
                """,
                [.text(present.plugin), .text(present.name)])
            let ref = MetricCatalog.ref(plugin: present.plugin, name: present.name, present: recorded)
            return MetricSummary(
                metric: ref, versions: versions[present.plugin + ":" + present.name] ?? [],
                checkpoints: Int(counts?[0].int64 ?? 0), nanCount: Int(counts?[1].int64 ?? 0))
        }
    }
}
