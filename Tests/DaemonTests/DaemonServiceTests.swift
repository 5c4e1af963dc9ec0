import Daemon
import Foundation
import Glibc
import Logging
import TestSupport
import Testing

/// sharpd as a service (docs/daemon.md §7): Prometheus metrics and the web UI
/// with --http, JSON logs with fields, journald's priority prefixes, systemd's notify protocol
/// (READY after the start-up scan, WATCHDOG, RELOADING on SIGHUP, STOPPING on SIGTERM), and no
/// CPU while idle with the HTTP server on.
@Suite(.serialized)
struct DaemonServiceTests {
    static let metrics = ["--metric", "accuracy", "--metric", "hessian-eigen:k=1,max_steps=5", "--samples", "16"]

    /// GET (or another method) with curl: status and body.
    static func http(_ url: String, method: String = "GET") throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-X", method, "-w", "\n%{http_code}", url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let split = text.range(of: "\n", options: .backwards)
        return (Int(text[split!.upperBound...]) ?? -1, String(text[..<split!.lowerBound]))
    }

    @Test(.timeLimit(.minutes(2)))
    func httpServesPrometheusMetricsAndTheUIAndLogsAreJSONWithFields() throws {
        let h = try DaemonHarness("service-http")
        guard h.hasExecutables, FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { return }
        try h.trainTinyModel()
        try Data("not an archive".utf8).write(to: URL(fileURLWithPath: h.store + "/broken.ckpt.tar.zst"))
        let daemon = try h.start("sharpd", ["--store", "store", "--http", "127.0.0.1:0", "--log-format", "json"] + Self.metrics)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(h.wait(seconds: 60) { h.scalar("SELECT count(*) FROM jobs WHERE state = 'done'") == 2 }, "\(h.log(of: daemon))")
        // An unreadable file is quarantined once it has stopped changing (about 10 s).
        #expect(h.wait(seconds: 60) { FileManager.default.fileExists(atPath: h.store + "/quarantine/broken.ckpt.tar.zst") })
        let log = h.log(of: daemon)
        guard let url = log.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression).map({ String(log[$0]) }) else {
            Issue.record("no URL in the log: \(log)")
            return
        }
        let (status, metrics) = try Self.http(url + "metrics")
        #expect(status == 200)
        for line in [
            #"sharpd_jobs{metric="accuracy",state="done"} 1"#, #"sharpd_job_duration_seconds_count{metric="hessian-eigen",outcome="done"} 1"#,
            #"sharpd_hvps_total{metric="hessian-eigen"} 5"#, "sharpd_checkpoints_indexed_total 1", "sharpd_checkpoints_quarantined_total 1",
            #"sharpd_checkpoints{status="ok"} 1"#, #"sharpd_plugin_loads_total{plugin="accuracy"} 1"#, "sharpd_build_info{",
        ] {
            #expect(metrics.contains(line), "no \(line) in\n\(metrics)")
        }
        #expect(try Self.http(url).body.contains("id=\"daemon\""))
        #expect(try Self.http(url + "metrics", method: "POST").status == 405)

        // Every line is one JSON object; a scored job carries its fields, numbers as numbers.
        let lines = h.log(of: daemon).split(separator: "\n")
        var scored: [String: Any]?
        for line in lines where line.hasPrefix("{") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["msg"] is String && object?["ts"] is String, "\(line)")
            if (object?["msg"] as? String)?.hasPrefix("scored") == true, object?["plugin"] as? String == "hessian-eigen" { scored = object }
        }
        #expect(lines.allSatisfy { $0.hasPrefix("{") }, "non-JSON lines: \(lines.filter { !$0.hasPrefix("{") })")
        #expect(scored?["job"] is Int && scored?["duration_s"] is NSNumber && scored?["hvps"] as? Int == 5, "\(String(describing: scored))")
        #expect((scored?["checkpoint"] as? String)?.count == 64)

        // Idle with the HTTP server on: about no CPU.
        let before = try #require(DaemonHarness.cpuTicks(of: daemon.processIdentifier))
        sleep(10)
        let after = try #require(DaemonHarness.cpuTicks(of: daemon.processIdentifier))
        #expect(after - before <= 5, "an idle sharpd --http used \(after - before) clock ticks in 10 s")
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "\(h.log(of: daemon))")
    }

    @Test func underJournaldLinesCarryAPriorityPrefixAndNoTimestamp() {
        let text = DaemonLogHandler(label: "sharpd", format: .text, journald: true)
        #expect(text.line(.warning, "disk full", [:]) == "<4>sharpd: warning: disk full\n")
        #expect(text.line(.info, "indexed x", ["job": "3"]) == "<6>sharpd: indexed x job=3\n")
        #expect(text.line(.debug, "d", [:]).hasPrefix("<7>"))
        let json = DaemonLogHandler(label: "sharpd", format: .json, journald: true).line(.error, "boom", ["duration_s": .stringConvertible(1.5)])
        #expect(json == "<3>{\"duration_s\":1.5,\"level\":\"error\",\"msg\":\"boom\"}\n")
        let plain = DaemonLogHandler(label: "sharpd", format: .text, journald: false)
            .line(.info, "x", [:], at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(plain == "2027-01-15T08:00:00Z sharpd: x\n")
        // The journal is recognised by the device and inode of stderr, not by the variable alone.
        var status = stat()
        fstat(STDERR_FILENO, &status)
        #expect(DaemonLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]))
        #expect(!DaemonLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"]))
        #expect(!DaemonLogHandler.stderrIsJournal(environment: [:]))
        // One event, one line; the event's own keys are not overwritten by fields.
        let text2 = DaemonLogHandler(label: "sharpd", format: .text, journald: false)
        #expect(text2.line(.info, "a\nb", [:], at: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z sharpd: a\\nb\n")
        let clash = DaemonLogHandler(label: "sharpd", format: .json, journald: true).line(.info, "m", ["level": "x", "msg": "y"])
        #expect(clash == "<6>{\"field.level\":\"x\",\"field.msg\":\"y\",\"level\":\"info\",\"msg\":\"m\"}\n")
    }

    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let path: String
        let fd: Int32

        /// A socket at `directory/notify.sock`, or with `abstract` in the abstract namespace (`@name`).
        init(directory: String, abstract: String? = nil) throws {
            path = abstract.map { "@" + $0 } ?? directory + "/notify.sock"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(path.utf8)
            if abstract != nil { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract == nil ? 1 : 0))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        deinit { close(fd) }

        /// The next message within `seconds`, or nil.
        func receive(within seconds: Double) -> String? {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(seconds * 1000)) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : nil
        }

        /// Messages until one contains `needle` (returned with those before it), within `seconds`.
        func wait(for needle: String, within seconds: Double) -> [String] {
            var seen: [String] = []
            let end = Date().addingTimeInterval(seconds)
            while Date() < end, let message = receive(within: end.timeIntervalSinceNow) {
                seen.append(message)
                if message.contains(needle) { break }
            }
            return seen
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func sharpdSpeaksSystemdsNotifyProtocol() throws {
        let h = try DaemonHarness("service-notify")
        guard h.hasExecutables else { return }
        try h.trainTinyModel()
        let socket = try NotifySocket(directory: h.root)
        let daemon = try h.start("sharpd", ["--store", "store"] + Self.metrics,
                                 environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // READY comes after the start-up scan: the checkpoint is in the index by then.
        let start = socket.wait(for: "READY=1", within: 30)
        #expect(start.last?.contains("READY=1") == true, "\(start) \(h.log(of: daemon))")
        #expect(start.last?.contains("MAINPID=\(daemon.processIdentifier)") == true)
        #expect(h.scalar("SELECT count(*) FROM checkpoints") == 1)

        // WATCHDOG=1 about every 0.2 s (half of WATCHDOG_USEC), from the event loop.
        var pings = 0
        let end = Date().addingTimeInterval(1.5)
        while Date() < end, let message = socket.receive(within: end.timeIntervalSinceNow) {
            if message.contains("WATCHDOG=1") { pings += 1 }
        }
        #expect(pings >= 4, "\(pings) watchdog pings in 1.5 s")

        kill(daemon.processIdentifier, SIGHUP)
        let reload = socket.wait(for: "READY=1", within: 10)
        #expect(reload.contains { $0.contains("RELOADING=1") && $0.contains("MONOTONIC_USEC=") }, "\(reload)")
        #expect(reload.last?.contains("READY=1") == true, "\(reload)")

        daemon.terminate()
        let stop = socket.wait(for: "STOPPING=1", within: 10)
        #expect(stop.last == "STOPPING=1", "\(stop)")
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
    }

    @Test func beforeReadyALongScanAsksForMoreTimeAndAbstractSocketsWork() throws {
        let socket = try NotifySocket(directory: "", abstract: "sharp-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.isActive)
        notifier.keepAlive()
        #expect(socket.receive(within: 2)?.hasPrefix("EXTEND_TIMEOUT_USEC=90000000") == true)
        notifier.keepAlive()  // not again within 30 s
        #expect(socket.receive(within: 0.2) == nil)
        notifier.ready(status: "up")
        #expect(socket.receive(within: 2)?.hasPrefix("READY=1\nSTATUS=up") == true)
        notifier.keepAlive(now: Date().addingTimeInterval(60))  // after READY: no extension, no watchdog asked for
        #expect(socket.receive(within: 0.2) == nil)
    }

    @Test func withoutNotifySocketNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive && !notifier.notify("READY=1") && notifier.watchdogPeriod == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000"]).watchdogPeriod == 5)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"]).watchdogPeriod == nil)
    }

    @Test func theSystemdUnitIsNotifyTypeSandboxedAndValid() throws {
        let unit = try String(contentsOfFile: packageRoot + "/tools/sharpd.service", encoding: .utf8)
        for directive in [
            "Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID", "ProtectSystem=strict", "ReadWritePaths=/var/lib/sharp",
            "NoNewPrivileges=yes", "PrivateTmp=yes", "Environment=SHARP_STORE=/var/lib/sharp",
        ] {
            #expect(unit.contains("\n" + directive), "the unit lacks \(directive)")
        }
        // systemd's own parser, where installed: no warning at all (it exits 0 even on unknown values).
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze), let sharpd = BuiltExecutable.path("sharpd") else { return }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sharpd-\(UUID().uuidString.prefix(6)).service").path
        try unit.replacingOccurrences(of: "/usr/local/bin/sharpd", with: sharpd).write(toFile: copy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let result = try BuiltExecutable.run(analyze, ["verify", copy])
        #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stdout)\(result.stderr)")
    }
}
