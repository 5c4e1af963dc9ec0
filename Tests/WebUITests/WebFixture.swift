import Foundation
import Index

@testable import WebUI

/// A store for the web UI's tests, written through the index calls the daemon uses: seven
/// checkpoints (one of them with a run id and a failure reason that are HTML), a trace with a
/// NaN and a missing value, an SLQ density and per-batch series, a failed job, and a study report
/// folder with a figure, a symlink that leads out of the store and a file next to the folder that
/// must never be served.
final class WebFixture {
    let root: String
    let store: String
    let app: WebApp
    static let hostileRunID = "<script>alert('run')</script>"
    static let hostileReason = "bad <img src=x onerror=alert(1)> input"
    static let secret = "SECRET-CONTENTS-7f3a"
    private(set) var shas: [String] = []

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("webui-\(UUID().uuidString.prefix(8))").path
        store = root + "/store"
        let report = store + "/study/demo/report"
        try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        let index = try IndexStore(store: store)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let traces: [Double?] = [5, 12, .nan, nil, 0.5, 7, 3]
        var ids: [Int64] = []
        for (n, trace) in traces.enumerated() {
            let sha = String(repeating: String(n), count: 4) + String(repeating: "a", count: 60)
            shas.append(sha)
            let record = CheckpointRecord(
                sha256: sha, runID: n == 1 ? Self.hostileRunID : "run-\(n)", createdAt: start.addingTimeInterval(Double(n) * 60),
                model: n % 2 == 0 ? "mlp" : "vgg-mini", optimizer: n % 3 == 0 ? "adam" : "sam", seed: UInt64(n % 3), epoch: 2)
            let id = try index.upsertCheckpoint(record, path: "\(store)/run-\(n)-e0002.ckpt.tar.zst", at: start).id
            ids.append(id)
            let trace = trace.map { value in
                MetricRecord(
                    checkpointID: id, key: PluginKey(plugin: "hessian-trace", version: "1.0.0"), name: "trace", value: value,
                    standardError: 0.25, hvpCount: 16, seconds: 1)
            }
            let accuracy = MetricRecord(
                checkpointID: id, key: PluginKey(plugin: "accuracy", version: "1.0.0"), name: "test_acc", value: 0.5 + Double(n) / 20,
                standardError: nil, hvpCount: 0, seconds: 0.1)
            try index.recordResults(ScoringResults(metrics: [accuracy] + (trace.map { [$0] } ?? [])), at: start)
        }
        let spectrum = PluginKey(plugin: "hessian-spectrum", version: "1.0.0")
        let xs = (0..<50).map { Double($0) }
        try index.recordResults(
            ScoringResults(series: [
                SeriesRecord(checkpointID: ids[0], key: spectrum, name: "density",
                             dataJSON: SeriesJSON.encode(x: xs, y: xs.map { exp(-$0 / 5) }, xLabel: "eigenvalue", yLabel: "density")),
                SeriesRecord(checkpointID: ids[0], key: spectrum, name: "per_batch",
                             dataJSON: SeriesJSON.encode(x: [0, 1, 2, 3], y: [10, 12, 11, 30], xLabel: "batch", yLabel: "top_eigenvalue")),
            ]), at: start)
        _ = try index.enqueueJobs(checkpointID: ids[1], plugins: [PluginKey(plugin: "hessian-eigen", version: "1.0.0")], priority: 0, at: start)
        if let job = try index.claimNextJob(worker: "test:1", at: start) {
            _ = try index.failJob(id: job.id, worker: "test:1", reason: Self.hostileReason, retryAt: nil, at: start)
        }
        let figure = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>\n"
        try figure.write(toFile: report + "/fig.svg", atomically: true, encoding: .utf8)
        try """
            # Study demo <script>alert('title')</script>

            | optimizer | Δ acc |
            |---|---|
            | sam | +1.5 |

            ![accuracy](fig.svg)

            - a [link](javascript:alert(1)) and **bold** and `code <b>`
            """.write(toFile: report + "/report.md", atomically: true, encoding: .utf8)
        try Self.secret.write(toFile: store + "/study/demo/secret.svg", atomically: true, encoding: .utf8)
        try Self.secret.write(toFile: root + "/outside.svg", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: report + "/link.svg", withDestinationPath: root + "/outside.svg")
        app = WebApp(store: store, index: .sqlite(path: IndexStore.path(forStore: store)))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func get(_ target: String) -> WebResponse { app.respond(WebRequest(target: target)) }
}
