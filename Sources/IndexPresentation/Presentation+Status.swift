import JSON
import Index
import IndexQueries
import Foundation

extension StoreStatus {
    /// `running`, `stopped` or `unknown`.
    public var daemonWord: String {
        switch daemon {
        case .running: return "running"
        case .stopped: return "stopped"
        case .unknown: return "unknown"
        }
    }

    /// Running jobs: `id, checkpoint, path, plugin, plugin_version, worker, since, heartbeat_at, attempts`.
    public func runningTable() -> ResultTable {
        ResultTable(
            columns: ["id", "checkpoint", "path", "plugin", "plugin_version", "worker", "since", "heartbeat_at", "attempts"],
            rows: running.map { j in
                [
                    .integer(j.id), .text(String(j.checkpointSHA256.prefix(12))), .text(j.path), .text(j.key.plugin),
                    .text(j.key.version), .text(j.worker), .time(j.claimedAt), .time(j.heartbeatAt), .integer(j.attempts),
                ]
            })
    }

    /// Daemons registered on the index: `id, host, pid, store, live, started_at, heartbeat_at, software_version`.
    public func daemonsTable() -> ResultTable {
        ResultTable(
            columns: ["id", "host", "pid", "store", "live", "started_at", "heartbeat_at", "software_version"],
            rows: daemons.map { d in
                [
                    .text(d.id), .text(d.host), .integer(Int(d.pid)), .text(d.store), .text(d.isLive ? "yes" : "no"),
                    .time(d.startedAt), .time(d.heartbeatAt), .text(d.softwareVersion),
                ]
            })
    }

    /// Recent failures: `id, checkpoint, path, plugin, plugin_version, attempts, finished_at, error`.
    public func failuresTable() -> ResultTable {
        ResultTable(
            columns: ["id", "checkpoint", "path", "plugin", "plugin_version", "attempts", "finished_at", "error"],
            rows: recentFailures.map { j in
                [
                    .integer(j.id), .text(String(j.checkpointSHA256.prefix(12))), .text(j.path), .text(j.key.plugin),
                    .text(j.key.version), .integer(j.attempts), .time(j.finishedAt), .text(j.error),
                ]
            })
    }

    /// The whole status as one JSON object (`status --format json`).
    public func json() -> JSONValue {
        var daemonPairs: [(String, JSONValue)] = [("state", .string(daemonWord))]
        switch daemon {
        case .running(let pid):
            daemonPairs += [("running", .bool(true)), ("pid", pid.map { .integer(Int64($0)) } ?? .null)]
        case .stopped(let stale):
            daemonPairs += [("running", .bool(false)), ("stale_pid", stale.map { .integer(Int64($0)) } ?? .null)]
        case .unknown(let reason):
            daemonPairs += [("running", .null), ("reason", .string(reason))]
        }
        daemonPairs.append(("lock_file", .string(DaemonProbe.lockFile(store: store, scope: lockScope))))
        let counts = checkpoints.sorted { Self.statusOrder($0.key) < Self.statusOrder($1.key) }
        return .orderedObject([
            ("store", .string(store)),
            ("checked_at", .string(ISOTime.format(checkedAt))),
            ("daemon", .orderedObject(daemonPairs)),
            ("checkpoints", .orderedObject(counts.map { ($0.key, .integer(Int64($0.value))) }
                + [("total", .integer(Int64(checkpoints.values.reduce(0, +))))])),
            ("jobs", .orderedObject([
                ("queued", .integer(Int64(jobs.queued))), ("runnable", .integer(Int64(jobs.runnable))),
                ("waiting_for_retry", .integer(Int64(jobs.waitingForRetry))),
                ("next_retry_at", jobs.nextRetryAt.map { .string(ISOTime.format($0)) } ?? .null),
                ("waiting_for_file", .integer(Int64(jobs.waitingForFile))), ("running", .integer(Int64(jobs.running))),
                ("done", .integer(Int64(jobs.done))), ("failed", .integer(Int64(jobs.failed))),
            ])),
            ("daemons", daemonsTable().jsonDocument().rowsArray),
            ("running", runningTable().jsonDocument().rowsArray),
            ("recent_failures", failuresTable().jsonDocument().rowsArray),
            ("quarantine", .orderedObject([
                ("directory", .string(DaemonProbe.quarantineDirectory(store: store))),
                ("files", .integer(Int64(quarantinedFiles))),
            ])),
        ])
    }

    /// The scalar facts as `key, value` rows (CSV, TSV, JSONL, Markdown): `daemon.running`,
    /// `checkpoints.ok`, `jobs.runnable`, …; the job lists are in the table and JSON forms.
    public func keyValueTable() -> ResultTable {
        var rows: [(String, ResultCell)] = [
            ("store", .text(store)), ("checked_at", .time(checkedAt)), ("daemon.state", .text(daemonWord)),
        ]
        switch daemon {
        case .running(let pid): rows.append(("daemon.pid", .integer(pid.map(Int.init))))
        case .stopped(let stale): rows.append(("daemon.stale_pid", .integer(stale.map(Int.init))))
        case .unknown(let reason): rows.append(("daemon.reason", .text(reason)))
        }
        rows.append(("daemons.live", .integer(daemons.filter(\.isLive).count)))
        for (status, count) in checkpoints.sorted(by: { Self.statusOrder($0.key) < Self.statusOrder($1.key) }) {
            rows.append(("checkpoints.\(status)", .integer(count)))
        }
        rows += [
            ("jobs.queued", .integer(jobs.queued)), ("jobs.runnable", .integer(jobs.runnable)),
            ("jobs.waiting_for_retry", .integer(jobs.waitingForRetry)), ("jobs.next_retry_at", .time(jobs.nextRetryAt)),
            ("jobs.waiting_for_file", .integer(jobs.waitingForFile)), ("jobs.running", .integer(jobs.running)),
            ("jobs.done", .integer(jobs.done)), ("jobs.failed", .integer(jobs.failed)),
            ("quarantine.files", .integer(quarantinedFiles)),
        ]
        return ResultTable(columns: ["key", "value"], rows: rows.map { [.text($0.0), $0.1] })
    }

    /// A short summary for people (`status` on a terminal).
    public func summary(color: Bool = false) -> String {
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var daemonLine: String
        switch daemon {
        case .running(let pid): daemonLine = "running" + (pid.map { " (pid \($0))" } ?? "")
        case .stopped(let stale):
            let note = stale.map { " (stale sharpd.pid says \($0); that process no longer holds the lock)" }
            daemonLine = "not running" + (note ?? "")
        case .unknown(let reason): daemonLine = "unknown: \(reason)"
        }
        let live = daemons.filter(\.isLive)
        let hosts = Set(live.map(\.host)).sorted()
        let fleetLine = live.isEmpty
            ? "no live daemon registered on the index"
            : "\(live.count) live daemon\(live.count == 1 ? "" : "s") on \(hosts.joined(separator: ", "))"
                + (daemons.count > live.count ? "; \(daemons.count - live.count) whose lease ran out" : "")
        let statuses = checkpoints.sorted { Self.statusOrder($0.key) < Self.statusOrder($1.key) }
        var queued = "\(jobs.queued) queued"
        var parts: [String] = []
        if jobs.queued > 0 { parts.append("\(jobs.runnable) runnable now") }
        if jobs.waitingForRetry > 0 {
            let next = jobs.nextRetryAt.map { ", next at \(ISOTime.format($0))" } ?? ""
            parts.append("\(jobs.waitingForRetry) waiting for a retry" + next)
        }
        if jobs.waitingForFile > 0 { parts.append("\(jobs.waitingForFile) waiting for a missing or quarantined file") }
        if !parts.isEmpty { queued += " (" + parts.joined(separator: "; ") + ")" }
        let lines: [(String, String)] = [
            ("store", store),
            ("daemon", daemonLine),
            ("fleet", fleetLine),
            ("checkpoints", statuses.map { "\($0.value) \($0.key)" }.joined(separator: ", ")),
            ("jobs", "\(queued), \(jobs.running) running, \(jobs.done) done, \(jobs.failed) failed"),
            ("quarantine",
             "\(quarantinedFiles) file\(quarantinedFiles == 1 ? "" : "s") in \(DaemonProbe.quarantineDirectory(store: store))"
                + (quarantinedFiles > 0 ? " (reasons in *.reason.txt)" : "")),
        ]
        var out = lines.map { label, text in
            "\(bold)\((label + ":").padding(toLength: 13, withPad: " ", startingAt: 0))\(reset)\(text)\n"
        }.joined()
        if !running.isEmpty {
            var table = runningTable()
            table.columns.insert("for", at: 7)
            for (i, job) in running.enumerated() {
                table.rows[i].insert(.text(job.claimedAt.map { Self.age(checkedAt.timeIntervalSince($0)) }), at: 7)
            }
            table.title = "running (\(running.count))"
            if case .running = daemon {} else {
                table.title! += ": no daemon holds the lock, so these are left over; sharpd requeues them when it starts"
            }
            out += "\n" + table.render(as: .table, color: color).stdout
        }
        if !recentFailures.isEmpty {
            var table = failuresTable()
            table.title =
                "failed (\(jobs.failed) in all; \(recentFailures.count) most recent; sharpq jobs --state failed lists all)"
            out += "\n" + table.render(as: .table, color: color).stdout
        }
        return out
    }

    /// `ok`, `missing`, `quarantined`, then anything else by name.
    static func statusOrder(_ status: String) -> String {
        switch status {
        case "ok": return "0"
        case "missing": return "1"
        case "quarantined": return "2"
        default: return "3" + status
        }
    }

    /// `45s`, `2m05s`, `3h07m`, `2d04h`.
    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        if s < 86400 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        return String(format: "%dd%02dh", s / 86400, s % 86400 / 3600)
    }
}
