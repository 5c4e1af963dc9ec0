import Index
import Foundation

/// A SQL condition on `checkpoints AS c` and its parameters, in order.
struct SQLCondition {
    var sql: String
    var params: [SQLValue]
}

extension IndexStore {
    /// Whether any checkpoint has a value of `metric` (the web UI's default columns).
    public func isRecorded(_ metric: MetricRef) throws -> Bool {
        try presentMetrics().contains { $0.plugin == metric.plugin && $0.name == metric.name }
    }

    /// Every (plugin, output name) recorded so far, with the short name its newest version
    /// declares (from the small `metric_names` table).
    func presentMetrics() throws -> [PresentMetric] {
        var out: [PresentMetric] = [], newest: [Int64] = []
        let rows = try db.rows("SELECT plugin, name, plugin_version, short_name FROM metric_names ORDER BY plugin, name")
        for r in rows {
            let plugin = r[0].string ?? "", name = r[1].string ?? ""
            let rank = PluginKey(plugin: plugin, version: r[2].string ?? "").versionRank
            if let last = out.last, last.plugin == plugin, last.name == name {
                if rank > newest[newest.count - 1] { out[out.count - 1].shortName = r[3].string; newest[newest.count - 1] = rank }
            } else {
                out.append(PresentMetric(plugin: plugin, name: name, shortName: r[3].string))
                newest.append(rank)
            }
        }
        return out
    }

    /// Resolves a metric name (short name, `plugin:name`, or an output name one plugin emits);
    /// unknown names throw with the valid names, closest first.
    public func resolveMetric(_ name: String) throws -> MetricRef {
        try MetricCatalog.resolve(name, present: presentMetrics())
    }

    /// Resolves a `--where`/`--rows`/`--cols` key: a checkpoint field, then a metric, then a
    /// hyperparameter present in some checkpoint (`hp.KEY` forces the last).
    public func resolveField(_ key: String) throws -> QueryField {
        if let field = CheckpointField.named(key) { return .checkpoint(field) }
        if key.hasPrefix("hp."), key.count > 3 { return .hyperparameter(try Self.checkedKey(String(key.dropFirst(3)))) }
        do {
            return .metric(try resolveMetric(key))
        } catch let error as IndexError {
            guard case .unknownName = error.kind else { throw error }
        }
        let value = db.dialect.jsonValue(checkpointHyperparameters, key: key)
        if !key.contains("\""),
            try db.row("SELECT 1 FROM checkpoints AS c WHERE \(value.sql) IS NOT NULL LIMIT 1", [value.key]) != nil
        {
            return .hyperparameter(key)
        }
        let valid =
            CheckpointField.all.map(\.name) + MetricCatalog.validNames(present: try presentMetrics())
            + (try hyperparameterKeys())
        throw IndexError.unknown("field", key, valid: valid)
    }

    /// Hyperparameter keys found in any checkpoint (`flatHyperparameters`), sorted.
    public func hyperparameterKeys() throws -> [String] {
        try db.rows(
            """
            SELECT DISTINCT j.key FROM checkpoints AS c, \(db.dialect.jsonKeys(checkpointHyperparameters))
            WHERE c.hyperparameters IS NOT NULL ORDER BY j.key
            """
        ).compactMap { $0[0].string }
    }

    /// `SQLDialect.flatHyperparameters` of the checkpoint row `c`.
    var checkpointHyperparameters: String { db.dialect.flatHyperparameters("c.hyperparameters") }

    static func checkedKey(_ key: String) throws -> String {
        if key.contains("\"") { throw IndexError(.invalidQuery, "hyperparameter names cannot contain '\"': \(key)") }
        return key
    }

    /// The AND of all filters, plus "not quarantined" unless a filter is about `status`.
    func condition(for filters: [Filter]) throws -> SQLCondition {
        var parts: [String] = []
        var params: [SQLValue] = []
        var mentionsStatus = false
        for filter in filters {
            let field = try resolveField(filter.key)
            if case .checkpoint(let f) = field, f.name == "status" { mentionsStatus = true }
            let part = try condition(filter, on: field)
            parts.append(part.sql)
            params += part.params
        }
        if !mentionsStatus { parts.insert("c.status != 'quarantined'", at: 0) }
        return SQLCondition(sql: parts.joined(separator: " AND "), params: params)
    }

    func condition(_ filter: Filter, on field: QueryField) throws -> SQLCondition {
        let dialect = db.dialect
        switch field {
        case .checkpoint(let f):
            let values = try filter.values.map { try Self.value($0, for: f) }
            return Self.comparison("c.\(f.column)", filter.op, values, prefix: [])
        case .hyperparameter(let key):
            // true/false: SQLite's json_extract reads JSON booleans as 1/0; PostgreSQL compares jsonb
            // booleans (`SQLDialect.jsonComparand` turns the text into one).
            let values = filter.values.map { text -> SQLValue in
                if let number = text.filterNumber { return .real(number) }
                if text == "true" || text == "false" { return dialect == .sqlite ? .integer(text == "true" ? 1 : 0) : .text(text) }
                return .text(text)
            }
            let field = dialect.jsonValue(checkpointHyperparameters, key: key)
            let condition = Self.comparison(field.sql, filter.op, values, prefix: [field.key], placeholder: dialect.jsonComparand)
            // Both backends order every JSON type against every other (a string above any number);
            // an order against a number only means something between numbers.
            guard [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(filter.op),
                values.allSatisfy({ $0.double != nil })
            else { return condition }
            let isNumber = dialect.jsonIsNumber(checkpointHyperparameters, key: key)
            return SQLCondition(sql: "(\(isNumber.sql) AND \(condition.sql))", params: [isNumber.key] + condition.params)
        case .metric(let ref):
            let head = "fm.checkpoint_id = c.id AND fm.plugin = ? AND fm.name = ? AND fm.is_current = 1 AND "
            let refParams: [SQLValue] = [.text(ref.plugin), .text(ref.name)]
            if filter.values.count == 1, filter.values[0].lowercased() == "nan", filter.op == .equal || filter.op == .notEqual {
                // value is NULL exactly for NaN (a missing metric has no row at all).
                let test = filter.op == .equal ? "fm.value IS NULL" : "fm.value IS NOT NULL"
                return SQLCondition(
                    sql: "EXISTS (SELECT 1 FROM metrics AS fm\(dialect.indexedBy("metrics_current")) WHERE \(head)\(test))",
                    params: refParams)
            }
            let values = try filter.values.map { text -> SQLValue in
                guard let number = text.filterNumber else {
                    throw IndexError(.invalidQuery, "\(filter.key) is a number; '\(text)' is not (use e.g. \(filter.key)>10)")
                }
                return .real(number)
            }
            // NaN is stored as NULL: it fails every comparison except `!=` (MLflow issue 25640).
            let inner = Self.comparison("fm.value", filter.op, values, prefix: refParams)
            let sql = filter.op == .notEqual ? "(fm.value IS NULL OR \(inner.sql))" : inner.sql
            return SQLCondition(
                sql: "EXISTS (SELECT 1 FROM metrics AS fm\(dialect.indexedBy("metrics_current")) WHERE \(head)\(sql))",
                params: inner.params)
        }
    }

    /// `expression op value(s)`; `placeholder` writes each value's parameter (a plain `?` unless
    /// the expression needs the value converted, as `jsonb` does).
    private static func comparison(
        _ expression: String, _ op: Filter.Operator, _ values: [SQLValue], prefix: [SQLValue],
        placeholder: (SQLValue) -> String = { _ in "?" }
    ) -> SQLCondition {
        switch op {
        case .oneOf:
            let marks = values.map(placeholder).joined(separator: ", ")
            return SQLCondition(sql: "\(expression) IN (\(marks))", params: prefix + values)
        case .notEqual where !expression.hasPrefix("fm."):
            return SQLCondition(sql: "\(expression) IS DISTINCT FROM \(placeholder(values[0]))", params: prefix + values)
        default:
            return SQLCondition(sql: "\(expression) \(op.rawValue) \(placeholder(values[0]))", params: prefix + values)
        }
    }

    /// A filter value typed for a checkpoint column: numbers for numeric columns (integers stay
    /// exact, so 64-bit seeds compare right), unix seconds for times (ISO 8601 accepted).
    static func value(_ text: String, for field: CheckpointField) throws -> SQLValue {
        switch field.kind {
        case .text:
            return .text(text)
        case .number:
            if let integer = Int64(text) { return .integer(integer) }
            if let unsigned = UInt64(text) { return .integer(Int64(bitPattern: unsigned)) }
            if let number = text.filterNumber { return .real(number) }
            throw IndexError(.invalidQuery, "\(field.name) is a number; '\(text)' is not")
        case .time:
            if let number = text.filterNumber { return .real(number) }
            if let date = ISOTime.parse(text) { return .real(date.timeIntervalSince1970) }
            throw IndexError(.invalidQuery, "\(field.name) is a time; give ISO 8601 (2026-05-01T12:00:00Z) or unix seconds")
        }
    }
}
