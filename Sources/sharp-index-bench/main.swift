// Writes a synthetic store index for tools/bench-index: runs of 20 checkpoints across models,
// optimizers and seeds, each checkpoint scored by 10 metric outputs (accuracy ×5, hessian-eigen
// ×2, hessian-trace, sharpness ×2), through the same IndexStore calls the daemon uses, plus a
// backfill queue (one hessian-spectrum job per checkpoint) with a few running and failed jobs.
//
//   sharp-index-bench STORE-DIR [CHECKPOINTS]      (default 100000 → 1,000,000 metric rows)
//
// With SHARP_INDEX_URL=postgres://… the index is written there instead (into an empty schema).
import Foundation
import Index

let arguments = CommandLine.arguments
guard arguments.count >= 2, arguments.count <= 3, let checkpoints = arguments.count == 3 ? Int(arguments[2]) : 100_000,
    checkpoints > 0
else {
    FileHandle.standardError.write(Data("usage: sharp-index-bench STORE-DIR [CHECKPOINTS]\n".utf8))
    exit(64)
}
let store = arguments[1]
try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
let location = try IndexLocation.resolve(index: nil, store: store)
guard !location.mayHoldIndex || location != .sqlite(path: IndexStore.path(forStore: store)) else {
    FileHandle.standardError.write(Data("sharp-index-bench: \(location) exists; remove it first\n".utf8))
    exit(1)
}

/// SplitMix64: deterministic values, so every generated index is the same.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

let index = try IndexStore(location)
let start = Date(timeIntervalSince1970: 1_777_593_600)  // 2026-05-01T00:00:00Z
let models = ["vgg-mini", "resnet-mini", "vit-mini", "mlp"]
let optimizers: [(name: String, base: String?, hyperparameters: String)] = [
    ("adam", nil, #"{"lr":0.001}"#), ("sgd", nil, #"{"lr":0.1,"momentum":0.9}"#),
    ("adamw", nil, #"{"lr":0.001,"weightDecay":0.01}"#),
    ("sam", "adam", #"{"lr":0.001,"rho":0.05,"base":"adam"}"#), ("asam", "adam", #"{"lr":0.001,"rho":0.5,"base":"adam"}"#),
    ("gsam", "adam", #"{"lr":0.001,"rho":0.05,"alpha":0.1,"base":"adam"}"#),
    ("wsam", "adam", #"{"lr":0.001,"rho":0.05,"gamma":0.9,"base":"adam"}"#),
    ("crsam", "adam", #"{"lr":0.001,"rho":0.05,"base":"adam"}"#),
]
let epochsPerRun = 20
var random = Generator(state: 42)
var ids: [Int64] = []
ids.reserveCapacity(checkpoints)
let began = Date()
for n in 0..<checkpoints {
    let run = n / epochsPerRun, epoch = n % epochsPerRun + 1
    let optimizer = optimizers[run % optimizers.count]
    let model = models[run / optimizers.count % models.count]
    let seed = UInt64(run / (optimizers.count * models.count) % 5 + 1)
    var digest = Generator(state: UInt64(n) &* 0x2545_F491_4F6C_DD1D)
    let sha = (0..<4).map { _ in String(format: "%016llx", digest.next()) }.joined()
    let record = CheckpointRecord(
        sha256: sha, sizeBytes: 4_000_000 + n % 1000, runID: "run-\(String(format: "%06d", run))",
        createdAt: start.addingTimeInterval(Double(n) * 30), softwareVersion: "0.9.0", model: model,
        optimizer: optimizer.name, baseOptimizer: optimizer.base, hyperparametersJSON: optimizer.hyperparameters,
        dataset: "bus-synth", datasetFingerprint: "5e1f", splitSeed: 7, trainCount: 2000, testCount: 500, seed: seed,
        epoch: epoch, step: epoch * 63, trainingLoss: 2.3 / Double(epoch), trainingAccuracy: 1 - 0.9 / Double(epoch),
        elapsedSeconds: Double(epoch) * 41.5, stopReason: epoch == epochsPerRun ? "completed" : "running")
    ids.append(try index.upsertCheckpoint(record, path: "\(store)/runs/run-\(run)/epoch-\(epoch).ckpt.tar.zst", at: start).id)
}
let outputs: [(plugin: String, version: String, names: [String])] = [
    ("accuracy", "1.2.0", ["test_acc", "train_acc", "test_loss", "train_loss", "gap"]),
    ("hessian-eigen", "1.1.0", ["lambda_max", "lambda_min"]), ("hessian-trace", "1.0.3", ["trace"]),
    ("sharpness", "1.0.0", ["sharpness", "adaptive_sharpness"]),
]
/// Each output's typical range (accuracies are fractions; trace and λ grow with sharpness).
let scale: [String: Double] = [
    "test_loss": 3, "train_loss": 3, "gap": 1, "lambda_max": 400, "lambda_min": -5, "trace": 5000, "sharpness": 0.5,
    "adaptive_sharpness": 2,
]
for batch in stride(from: 0, to: ids.count, by: 2_000) {
    var records: [MetricRecord] = []
    for id in ids[batch..<min(batch + 2_000, ids.count)] {
        for output in outputs {
            let key = PluginKey(plugin: output.plugin, version: output.version, paramsHash: "default")
            for name in output.names {
                let value = random.next() % 2000 == 0 ? Double.nan : random.uniform() * (scale[name] ?? 1)
                records.append(
                    MetricRecord(
                        checkpointID: id, key: key, name: name, value: value,
                        standardError: name == "trace" ? value / 50 : nil, hvpCount: output.plugin == "accuracy" ? 0 : 100,
                        seconds: 0.5 + random.uniform() * 20))
            }
        }
    }
    try index.recordResults(ScoringResults(metrics: records), at: start)
}
let spectrum = PluginKey(plugin: "hessian-spectrum", version: "1.0.0")
let queued = try index.enqueueJobs(checkpointID: nil, plugins: [spectrum], priority: JobPriority.backfill, at: start)
for worker in ["bench:101", "bench:102"] { _ = try index.claimNextJob(worker: worker, at: start) }
for attempt in 0..<3 {
    if let job = try index.claimNextJob(worker: "bench:103", at: start) {
        try index.failJob(id: job.id, worker: "bench:103", reason: "synthetic failure \(attempt)", retryAt: nil, at: start)
    }
}
try index.compactLog()
try index.optimize()
let rows = checkpoints * outputs.reduce(0) { $0 + $1.names.count }
let seconds = String(format: "%.1f", Date().timeIntervalSince(began))
print("sharp-index-bench: \(checkpoints) checkpoints, \(rows) metric rows, \(queued) jobs in \(seconds) s → \(index.location)")
