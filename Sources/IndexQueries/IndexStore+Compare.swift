import Index
import Statistics
import Foundation

extension IndexStore {
    /// The per-run values `compare` aggregates.
    public func comparisonSamples(_ query: CompareQuery) throws -> [ComparisonSample] {
        let rowField = try groupField(query.rows)
        let colField = try query.cols.map(groupField)
        let metrics = try query.metrics.map(valueField)
        let condition = try condition(for: query.filters)
        var select = ["c.id", "c.run_id", "c.seed", "c.sha256"]
        var params: [SQLValue] = []
        for field in [rowField] + (colField.map { [$0] } ?? []) {
            let (expression, extra) = expression(for: field)
            select.append(expression)
            params += extra
        }
        // Each run's last matching checkpoint is found in SQL: one `checkpoints_by_run` lookup per
        // run, so only those rows (not every checkpoint) come back.
        let rows = try db.rows(
            query.everyCheckpoint
                ? """
                SELECT \(select.joined(separator: ", ")) FROM checkpoints AS c WHERE \(condition.sql)
                ORDER BY c.run_id \(db.dialect.ascending), c.step \(db.dialect.descending), c.created_at \(db.dialect.descending), c.sha256
                """
                : """
                SELECT \(select.joined(separator: ", ")) FROM checkpoints AS c WHERE c.id IN (
                    SELECT (SELECT c.id FROM checkpoints AS c WHERE c.run_id IS NOT DISTINCT FROM r.run_id AND \(condition.sql)
                            ORDER BY c.step \(db.dialect.descending), c.created_at \(db.dialect.descending), c.sha256 LIMIT 1)
                    FROM (SELECT DISTINCT c.run_id FROM checkpoints AS c WHERE \(condition.sql)) AS r)
                ORDER BY c.run_id \(db.dialect.ascending)
                """,
            params + condition.params + (query.everyCheckpoint ? [] : condition.params))
        var seenRuns = Set<String>()
        var samples: [ComparisonSample] = []
        for r in rows {
            let runID = r[1].string ?? ""
            if !query.everyCheckpoint, !seenRuns.insert(runID).inserted { continue }  // not the run's last
            let id = r[0].int64 ?? 0
            for (name, field) in metrics {
                samples.append(
                    ComparisonSample(
                        row: label(r[4], of: rowField), col: colField.map { label(r[5], of: $0) }, metric: name, runID: runID,
                        seed: r[2].int64.map { UInt64(bitPattern: $0) }, checkpoint: r[3].string ?? "",
                        value: try value(of: field, checkpointID: id).double))
            }
        }
        return samples
    }

    /// A grouping key: a checkpoint field or a hyperparameter (metrics cannot group).
    private func groupField(_ key: String) throws -> QueryField {
        let field = try resolveField(key)
        if case .metric = field {
            throw IndexError(.invalidQuery, "'\(key)' is a metric; group by a field such as optimizer, model or seed")
        }
        return field
    }

    /// A summarised value: a metric, or a numeric checkpoint field (`elapsed_seconds`, the
    /// paper's training time).
    private func valueField(_ key: String) throws -> (String, QueryField) {
        let field = try resolveField(key)
        switch field {
        case .metric(let ref): return (ref.displayName, field)
        case .checkpoint(let f) where f.kind == .number: return (f.name, field)
        default: throw IndexError(.invalidQuery, "'\(key)' is not numeric; compare takes metrics or numeric fields")
        }
    }

    private func value(of field: QueryField, checkpointID: Int64) throws -> MetricValue {
        switch field {
        case .metric(let ref):
            return try currentReading(ref, checkpointID: checkpointID).value
        case .checkpoint(let f):
            let v = try db.scalar("SELECT \(f.column) FROM checkpoints WHERE id = ?", [.integer(checkpointID)])
            return v.double.map { .number($0) } ?? .missing
        case .hyperparameter:
            return .missing
        }
    }

    func expression(for field: QueryField) -> (String, [SQLValue]) {
        switch field {
        case .checkpoint(let f) where f.name == "seed" || f.name == "split_seed":
            // Seeds are unsigned 64-bit, stored by bit pattern: print them unsigned.
            return (db.dialect.unsignedText("c.\(f.column)"), [])
        case .checkpoint(let f): return ("c.\(f.column)", [])
        case .hyperparameter(let key):
            let value = db.dialect.jsonScalar(checkpointHyperparameters, key: key)
            return (value.sql, [value.key])
        case .metric: return ("NULL", [])
        }
    }

    /// `label(_:)` of a group key's value. PostgreSQL gives a hyperparameter as the text of its
    /// jsonb value (`0.00001`, `true`); it is read back as SQLite's json_extract types it
    /// (`1e-05`, `1`), so labels match whichever backend holds the index.
    func label(_ value: SQLValue, of field: QueryField) -> String {
        guard db.dialect == .postgres, case .hyperparameter = field, case .text(let text) = value else { return Self.label(value) }
        switch text {
        case "true": return "1"
        case "false": return "0"
        default:
            if let integer = Int64(text) { return String(integer) }
            if let number = Double(text), number.isFinite { return NumberText.exact(number) }
            return text
        }
    }

    /// A group label: text as is, numbers in their shortest exact form, NULL as `-`.
    static func label(_ value: SQLValue) -> String {
        switch value {
        case .null: return "-"
        case .integer(let v): return String(v)
        case .real(let v): return NumberText.exact(v)
        case .text(let v): return v
        case .blob(let v): return "<\(v.count) bytes>"
        }
    }
}
