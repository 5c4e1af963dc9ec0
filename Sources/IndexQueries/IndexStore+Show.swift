import Index
import Foundation

extension IndexStore {
    /// One checkpoint by hash prefix, with everything recorded about it (`sharpq show`): `prefix` is a path,
    /// a file name, or a (unique) prefix of the content hash.
    public func checkpointDetail(prefix: String) throws -> CheckpointDetail {
        let id = try checkpointID(matching: prefix)
        let (columns, rows) = try db.table("SELECT * FROM checkpoints WHERE id = ?", [.integer(id)])
        guard let row = rows.first else { throw IndexError(.notFound, "no checkpoint matches '\(prefix)'") }
        let jsonColumns: Set = ["model_config", "hyperparameters", "dataset_spec"]
        let fields = zip(columns, row).map { name, value -> CheckpointDetail.Field in
            switch name {
            case "seed", "split_seed":
                // Stored by bit pattern; give it back unsigned (as text only beyond Int64.max).
                let unsigned = value.int64.map { UInt64(bitPattern: $0) }
                let shown: SQLValue = unsigned.map { $0 <= UInt64(Int64.max) ? .integer(Int64($0)) : .text(String($0)) } ?? .null
                return .init(name: name, value: shown, isJSON: false)
            default:
                return .init(name: name, value: value, isJSON: jsonColumns.contains(name) && !value.isNull)
            }
        }
        return CheckpointDetail(
            fields: fields, paths: try paths(of: id), metrics: try storedMetrics(of: id), series: try series(of: id),
            jobs: try db.rows("SELECT id FROM jobs WHERE checkpoint_id = ? ORDER BY plugin, plugin_version, id", [.integer(id)])
                .compactMap { try $0[0].int64.flatMap { try job(withID: $0) } })
    }

    /// The id of the one checkpoint `text` names; ambiguous or unknown names throw. An exact
    /// path comes first, then hex text as a hash prefix (a range on the unique sha256 index), and
    /// file names (a suffix match that reads every path) only when no hash starts with the text.
    func checkpointID(matching text: String) throws -> Int64 {
        let exact = try db.rows(
            """
            SELECT DISTINCT c.id FROM checkpoints AS c LEFT JOIN checkpoint_paths AS p ON p.checkpoint_id = c.id
            WHERE c.path = ?1 OR p.path = ?1 LIMIT 2
            """, [.text(text)])
        if exact.count == 1, let id = exact[0][0].int64 { return id }
        let hex = text.lowercased()
        var byHash: [[SQLValue]] = []
        if !hex.isEmpty, hex.allSatisfy({ $0.isHexDigit }) {
            // A range on the unique sha256 index: every hash starting with `hex`.
            let upper = hex + String(repeating: "g", count: 64)
            byHash = try db.rows(
                "SELECT id, sha256 FROM checkpoints WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 LIMIT 11", [.text(hex), .text(upper)])
            if byHash.count == 1, let id = byHash[0][0].int64 { return id }
        }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        let byPath = try db.rows(
            """
            SELECT DISTINCT c.id, c.sha256 FROM checkpoints AS c LEFT JOIN checkpoint_paths AS p ON p.checkpoint_id = c.id
            WHERE c.path = ?1 OR p.path = ?1 OR p.path \(db.dialect.caseInsensitiveLike) ?2 ESCAPE '\\' ORDER BY c.sha256 LIMIT 11
            """, [.text(text), .text("%/" + escaped)])
        if byPath.count == 1, let id = byPath[0][0].int64 { return id }
        return try unique(byPath.isEmpty ? byHash : byPath, text)
    }

    private func unique(_ rows: [[SQLValue]], _ text: String) throws -> Int64 {
        if rows.count == 1, let id = rows[0][0].int64 { return id }
        if rows.isEmpty { throw IndexError(.notFound, "no checkpoint matches '\(text)' (a hash prefix, path or file name)") }
        let candidates = rows.prefix(10).map { String(($0[1].string ?? "").prefix(16)) }
        throw IndexError(
            .ambiguous(candidates: candidates),
            "'\(text)' matches \(rows.count > 10 ? "more than 10" : String(rows.count)) checkpoints: \(candidates.joined(separator: ", ")); give more of the hash"
        )
    }

    private func paths(of id: Int64) throws -> [CheckpointDetail.PathSeen] {
        try db.rows(
            "SELECT path, present, first_seen_at, last_seen_at FROM checkpoint_paths WHERE checkpoint_id = ? ORDER BY first_seen_at, path",
            [.integer(id)]
        ).map {
            .init(path: $0[0].string ?? "", present: $0[1].int64 == 1, firstSeenAt: $0[2].date ?? .distantPast,
                  lastSeenAt: $0[3].date ?? .distantPast)
        }
    }

    private func storedMetrics(of id: Int64) throws -> [CheckpointDetail.StoredMetric] {
        let present = try presentMetrics()
        return try db.rows(
            """
            SELECT \(CheckpointDetail.StoredMetric.columns), is_current
            FROM metrics WHERE checkpoint_id = ?
            ORDER BY plugin, name, plugin_version_rank DESC, recorded_at DESC, params_hash
            """, [.integer(id)]
        ).map { CheckpointDetail.StoredMetric(row: $0, isCurrent: $0[10].int64 == 1, present: present) }
    }

    private func series(of id: Int64) throws -> [CheckpointDetail.SeriesInfo] {
        try db.rows(
            "SELECT plugin, plugin_version, name, length(data) FROM series WHERE checkpoint_id = ? ORDER BY plugin, name, plugin_version",
            [.integer(id)]
        ).map { .init(plugin: $0[0].string ?? "", pluginVersion: $0[1].string ?? "", name: $0[2].string ?? "", bytes: Int($0[3].int64 ?? 0)) }
    }

    /// The newest stored text of one series of the checkpoint with this content hash (the format of
    /// Sources/Index/Store/SeriesJSON.swift); nil when there is none.
    public func seriesText(sha256: String, plugin: String, name: String) throws -> String? {
        try db.row(
            """
            SELECT s.data FROM series AS s JOIN checkpoints AS c ON c.id = s.checkpoint_id
            WHERE c.sha256 = ? AND s.plugin = ? AND s.name = ? ORDER BY s.recorded_at DESC LIMIT 1
            """, [.text(sha256), .text(plugin), .text(name)])?[0].string
    }
}
