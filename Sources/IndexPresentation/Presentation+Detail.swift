import JSON
import Index
import IndexQueries
import Foundation

extension CheckpointDetail {
    /// The whole record as one JSON object (`show --format json`): the checkpoint row's columns
    /// (JSON columns embedded as JSON, times as ISO 8601), then `paths`, `metrics`, `series`, `jobs`.
    public func json() -> JSONValue {
        let timeColumns: Set = ["created_at", "indexed_at"]
        var pairs: [(String, JSONValue)] = fields.map { field in
            if field.isJSON, let text = field.value.string { return (field.name, .raw(text)) }
            if timeColumns.contains(field.name), let t = field.value.double {
                return (field.name, .string(ISOTime.format(Date(timeIntervalSince1970: t))))
            }
            return (field.name, ResultTable.json(ResultCell(field.value)))
        }
        pairs.append(
            ("paths", .array(paths.map { p in
                .orderedObject([
                    ("path", .string(p.path)), ("present", .bool(p.present)),
                    ("first_seen_at", .string(ISOTime.format(p.firstSeenAt))),
                    ("last_seen_at", .string(ISOTime.format(p.lastSeenAt))),
                ])
            })))
        pairs.append(("metrics", metricsTable().jsonDocument().rowsArray))
        pairs.append(
            ("series", .array(series.map { s in
                .orderedObject([("plugin", .string(s.plugin)), ("plugin_version", .string(s.pluginVersion)),
                         ("name", .string(s.name)), ("bytes", .integer(Int64(s.bytes)))])
            })))
        pairs.append(("jobs", [Job].init(jobs).table().jsonDocument().rowsArray))
        return .orderedObject(pairs)
    }

    /// One row per stored metric (all versions; `current` marks the one queries use).
    public func metricsTable() -> ResultTable {
        ResultTable(
            columns: ["metric", "plugin", "output", "plugin_version", "params_hash", "value", "stderr", "hvp_count",
                      "seconds", "recorded_at", "current"],
            rows: metrics.map { m in
                [
                    .text(m.metric.displayName), .text(m.metric.plugin), .text(m.metric.name), .text(m.pluginVersion),
                    .text(m.paramsHash), .metric(m.value), .number(m.standardError), .integer(m.hvpCount),
                    .number(m.seconds), .time(m.recordedAt), .text(m.isCurrent ? "yes" : "no"),
                ]
            })
    }

    /// `field, value` rows for the table view (JSON columns as text).
    public func fieldsTable() -> ResultTable {
        ResultTable(
            columns: ["field", "value"],
            rows: fields.map { field in
                let isTime = field.name == "created_at" || field.name == "indexed_at"
                let value: ResultCell = isTime ? .time(field.value.date) : ResultCell(field.value)
                return [.text(field.name), value]
            } + paths.map { [.text($0.present ? "path" : "path (gone)"), .text($0.path)] })
    }
}

extension JSONValue {
    /// The `rows` member of a `jsonDocument()` object.
    var rowsArray: JSONValue {
        if case .orderedObject(let pairs) = self, let rows = pairs.first(where: { $0.0 == "rows" }) { return rows.1 }
        return .array([])
    }
}

extension Array where Element == Job {
    /// `id, checkpoint, path, plugin, plugin_version, state, attempts, worker, error, enqueued_at, finished_at`.
    public func table(total: Int? = nil) -> ResultTable {
        ResultTable(
            columns: ["id", "checkpoint", "path", "plugin", "plugin_version", "state", "attempts", "worker", "error",
                      "enqueued_at", "finished_at"],
            rows: map { j in
                [
                    .integer(j.id), .text(String(j.checkpointSHA256.prefix(12))), .text(j.path), .text(j.key.plugin),
                    .text(j.key.version), .text(j.state.rawValue), .integer(j.attempts), .text(j.worker), .text(j.error),
                    .time(j.enqueuedAt), .time(j.finishedAt),
                ]
            }, total: total)
    }
}

extension Array where Element == JobSummary {
    /// `plugin, plugin_version, queued, running, done, failed`.
    public func table() -> ResultTable {
        ResultTable(
            columns: ["plugin", "plugin_version"] + JobState.allCases.map(\.rawValue),
            rows: map { s in
                [.text(s.plugin), .text(s.version)] + JobState.allCases.map { .integer(Int64(s.counts[$0] ?? 0)) }
            })
    }
}
