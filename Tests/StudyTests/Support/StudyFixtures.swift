import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Index
import IndexPresentation
import IndexQueries
import Statistics
import Testing

@testable import Study

/// Temporary folders, a synthetic study index filled through the public `IndexStore` API (no
/// training, no daemon), and an XML well-formedness check.
enum StudyFixtures {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "sharp-study-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A two-model, two-optimizer, two-seed plan (the quick preset's shape).
    static var plan: StudyPlan {
        var plan = StudyPlan.preset(.quick)
        plan.name = "t"
        plan.models = ["vgg-mini", "resnet-mini"]
        return plan
    }

    /// Hand-picked values per (model, optimizer, seed): test_acc, elapsed_seconds, lambda_max, trace.
    static let values: [String: (acc: Double, time: Double, lambda: Double, trace: Double)] = [
        "vgg-mini/adam/0": (0.80, 10, 30, 80), "vgg-mini/adam/1": (0.84, 14, 34, 84),
        "vgg-mini/sam/0": (0.86, 20, 1, 5), "vgg-mini/sam/1": (0.88, 22, 2, 6),
        "resnet-mini/adam/0": (0.70, 30, 1000, 2000), "resnet-mini/adam/1": (0.74, 34, 1200, 2400),
        "resnet-mini/sam/0": (0.72, 60, 400, 800),
        // resnet-mini/sam/1 missing on purpose
    ]

    /// An index at `<store>/index.sqlite` holding the plan's cells (all but one) with metrics,
    /// plus a density series for each, plus a checkpoint of another run that must not show up.
    static func fillIndex(store: String, plan: StudyPlan) throws -> IndexStore {
        let index = try IndexStore(store: store)
        let now = Date(timeIntervalSince1970: 1_777_593_600)
        var n = 0
        for cell in plan.cells {
            guard let v = values["\(cell.model)/\(cell.optimizer)/\(cell.seed)"] else { continue }
            n += 1
            let record = CheckpointRecord(
                sha256: String(format: "%064x", n), runID: cell.runID, createdAt: now.addingTimeInterval(Double(n)), model: cell.model,
                optimizer: cell.optimizer, baseOptimizer: cell.optimizer == "adam" ? nil : "adam", seed: cell.seed, epoch: 8, step: 200,
                trainingAccuracy: 0.99, elapsedSeconds: v.time, stopReason: "max-epochs")
            let id = try index.upsertCheckpoint(record, path: "\(store)/study/t/\(cell.runID)-e0008.ckpt.tar.zst", at: now).id
            func m(_ plugin: String, _ name: String, _ value: Double) -> MetricRecord {
                MetricRecord(checkpointID: id, key: PluginKey(plugin: plugin, version: "1.0.0"), name: name, value: value)
            }
            let density = SeriesRecord(
                checkpointID: id, key: PluginKey(plugin: "hessian-spectrum", version: "1.0.0"), name: "density",
                dataJSON: "{\"x\":[-1,0,\(v.lambda / 2),\(v.lambda)],\"y\":[0.01,0.9,0.001,0.0001]}")
            try index.recordResults(
                ScoringResults(
                    metrics: [
                        m("accuracy", "test_acc", v.acc), m("accuracy", "train_acc", 1), m("accuracy", "train_loss", v.acc / 10),
                        m("hessian-eigen", "lambda_max", v.lambda),
                        m("hessian-trace", "trace", v.trace), m("hessian-spectrum", "per_batch_median", v.lambda * 1.1),
                        m("hessian-spectrum", "per_batch_mean", v.lambda * 1.2), m("hessian-spectrum", "per_batch_sd", v.lambda * 0.1),
                    ], series: [density]), at: now)
        }
        // Another run in the same store: not part of the study.
        let other = CheckpointRecord(sha256: String(format: "%064x", 999), runID: "someone-else", createdAt: now, model: "vgg-mini",
                                     optimizer: "adam", seed: 0, epoch: 3, step: 30)
        let id = try index.upsertCheckpoint(other, path: "\(store)/other.ckpt.tar.zst", at: now).id
        try index.recordResults(ScoringResults(metrics: [
            MetricRecord(checkpointID: id, key: PluginKey(plugin: "accuracy", version: "1.0.0"), name: "test_acc", value: 0.1)
        ]), at: now)
        return index
    }

    /// Parses `text` as XML; returns the parser error, if any.
    static func xmlError(_ text: String) -> String? {
        let parser = XMLParser(data: Data(text.utf8))
        return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)"
    }

    /// Every element name in `text` (in document order), for structure checks.
    static func elements(_ text: String) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                names.append(name)
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        _ = parser.parse()
        return collector.names
    }
}
