import BuildInfo
import CoreMetrics
import Daemon
import Dispatch
import Foundation
import Index
import IndexQueries
import Prometheus
import WebUI

/// `sharpd --http ADDRESS`: the web UI of `sharpq serve` and Prometheus metrics on /metrics
/// (docs/daemon.md §7), served on other threads while the daemon's loop runs on the main one.
enum DaemonHTTP {
    /// `HOST:PORT`, `[IPV6]:PORT` or a bare `PORT` (loopback).
    static func parse(_ address: String) -> (host: String, port: Int)? {
        if let port = Int(address) { return (0...65535).contains(port) ? ("127.0.0.1", port) : nil }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// Sends swift-metrics to a Prometheus registry, starts the server, and returns once it listens
    /// (its URL), or throws when it cannot (the port is taken, the address is not this host's).
    static func start(host: String, port: Int, store: String, index: IndexLocation) throws -> String {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Jobs take from a fraction of a second (accuracy) to an hour (full-size spectra).
        factory.durationHistogramBuckets["sharpd_job_duration_seconds"] = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600].map {
            Duration.milliseconds(Int64($0 * 1000))
        }
        MetricsSystem.bootstrap(factory)
        registry.makeGauge(name: "sharpd_build_info", labels: [("version", BuildInfo.version), ("commit", BuildInfo.shortCommit)]).set(Double(1))
        let scrape = Scrape(registry: registry, index: index)
        let server = WebServer(app: WebApp(store: store, index: index), host: host, port: port) { request in
            request.path == "/metrics" ? scrape.answer() : nil
        }
        let listening = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do {
                try await server.run(handleSignals: false) { bound in
                    outcome.set(url: "http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/")
                    listening.signal()
                }
            } catch {
                outcome.set(error: error)
                listening.signal()
            }
        }
        guard listening.wait(timeout: .now() + 30) == .success else { throw DaemonError.http("the HTTP server on \(host):\(port) did not start in 30 s") }
        if let error = outcome.error { throw DaemonError.http("cannot serve HTTP on \(host):\(port): \(error)") }
        return outcome.url ?? ""
    }

    /// Where the server got to (set from its task, read by the starting thread).
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var _url: String?, _error: (any Error)?
        var url: String? { lock.withLock { _url } }
        var error: (any Error)? { lock.withLock { _error } }
        func set(url: String) { lock.withLock { _url = url } }
        func set(error: any Error) { lock.withLock { _error = error } }
    }

    /// One /metrics answer: the gauges read from the index now, then everything the registry has.
    final class Scrape: @unchecked Sendable {
        let registry: PrometheusCollectorRegistry
        let index: IndexLocation
        private let lock = NSLock()
        private var store: IndexStore?
        /// Label pairs reported before, set to 0 when they vanish (a gauge must not keep a stale count).
        private var seenJobs: Set<[String]> = []

        init(registry: PrometheusCollectorRegistry, index: IndexLocation) {
            self.registry = registry
            self.index = index
        }

        func answer() -> WebResponse {
            lock.withLock {
                do {
                    if store == nil { store = try IndexStore(index, mode: .readOnly) }
                    let counts = try store!.queueCounts()
                    var now: Set<[String]> = []
                    for row in counts.jobs {
                        registry.makeGauge(name: "sharpd_jobs", labels: [("metric", row.plugin), ("state", row.state)]).set(Double(row.count))
                        now.insert([row.plugin, row.state])
                    }
                    for gone in seenJobs.subtracting(now) {
                        registry.makeGauge(name: "sharpd_jobs", labels: [("metric", gone[0]), ("state", gone[1])]).set(Double(0))
                    }
                    seenJobs.formUnion(now)
                    for (status, n) in counts.checkpoints {
                        registry.makeGauge(name: "sharpd_checkpoints", labels: [("status", status)]).set(Double(n))
                    }
                    registry.makeGauge(name: "sharpd_index_up").set(Double(1))
                } catch {
                    store = nil  // reopen next time (a PostgreSQL server that went away)
                    registry.makeGauge(name: "sharpd_index_up").set(Double(0))
                }
                return WebResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
            }
        }
    }
}
