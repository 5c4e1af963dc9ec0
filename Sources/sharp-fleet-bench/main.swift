// The job queue under several daemons (docs/fleet.md §8): fills an empty index with JOBS queued
// scoring jobs (one checkpoint per 10 jobs), then starts CLAIMERS processes of itself that claim
// and complete jobs, one at a time, through the IndexStore calls a daemon and its workers use,
// until the queue is empty. Each claim's latency is timed; the parent prints the distribution,
// the throughput, and checks that every job was completed exactly once.
//
//   sharp-fleet-bench STORE-DIR [JOBS] [CLAIMERS]        (default 10000 jobs, 3 claimers)
//
// With SHARP_INDEX_URL=postgres://… the index is there (an empty schema), else STORE-DIR/index.sqlite.
import Foundation
import Glibc
import Index

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "claimer" {
    // One claimer (a "daemon"): claims and completes until the queue is empty; prints the claim's
    // and the completion's latency in microseconds per job, then "done N".
    let index = try IndexStore(try IndexLocation.resolve(index: nil, store: arguments[2]))
    let tag = arguments[3]
    var completed = 0, sequence = 0
    var lines: [String] = []
    while true {
        sequence += 1
        let worker = "\(tag):\(sequence)"
        let start = DispatchTime.now().uptimeNanoseconds
        guard let job = try index.claimNextJob(worker: worker, lease: 60, at: Date()) else { break }
        let claimed = DispatchTime.now().uptimeNanoseconds
        let result = MetricRecord(checkpointID: job.checkpointID, key: job.key, name: "value", value: Double(job.id))
        if try index.completeJob(id: job.id, worker: worker, results: ScoringResults(metrics: [result]), at: Date()) { completed += 1 }
        lines.append("\((claimed - start) / 1000) \((DispatchTime.now().uptimeNanoseconds - claimed) / 1000)")
    }
    print(lines.joined(separator: "\n"))
    print("done \(completed)")
    exit(0)
}

guard (2...4).contains(arguments.count), let jobs = arguments.count >= 3 ? Int(arguments[2]) : 10_000,
    let claimers = arguments.count == 4 ? Int(arguments[3]) : 3, jobs >= 10, claimers >= 1
else {
    FileHandle.standardError.write(Data("usage: sharp-fleet-bench STORE-DIR [JOBS] [CLAIMERS]\n".utf8))
    exit(64)
}
let store = arguments[1]
try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
let location = try IndexLocation.resolve(index: nil, store: store)
let index = try IndexStore(location)
guard try index.db.scalar("SELECT count(*) FROM jobs").int64 == 0 else {
    FileHandle.standardError.write(Data("sharp-fleet-bench: \(location) already holds jobs; give it an empty index\n".utf8))
    exit(1)
}
let epoch = Date(timeIntervalSince1970: 1_777_593_600)
let keys = (0..<10).map { PluginKey(plugin: "metric-\($0)", version: "1.0.0") }
for n in 0..<(jobs / keys.count) {
    let sha = String(format: "%064llx", UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1)
    let record = CheckpointRecord(
        sha256: sha, sizeBytes: 1000, runID: "run-\(n / 20)", createdAt: epoch.addingTimeInterval(Double(n)), model: "mlp",
        optimizer: "adam", seed: 1)
    try index.upsertCheckpoint(record, path: "\(store)/c\(n).ckpt.tar.zst", at: epoch)
}
let queued = try index.enqueueJobs(checkpointID: nil, plugins: keys, priority: JobPriority.newCheckpoint, at: epoch)

// Start the claimers at once, each a process with its own connection, as daemons on hosts are.
var readers: [(pid: pid_t, output: FileHandle)] = []
let began = Date()
for c in 0..<claimers {
    let pipe = Pipe()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = ["claimer", store, "bench-\(c)"]
    process.standardOutput = pipe
    try process.run()
    readers.append((process.processIdentifier, pipe.fileHandleForReading))
}
var latencies: [Double] = [], completions: [Double] = []
var completed = 0
for reader in readers {
    let text = String(decoding: reader.output.readDataToEndOfFile(), as: UTF8.self)
    for line in text.split(separator: "\n") {
        let fields = line.split(separator: " ")
        if line.hasPrefix("done ") {
            completed += Int(line.dropFirst(5)) ?? 0
        } else if fields.count == 2, let claim = Double(fields[0]), let completion = Double(fields[1]) {
            latencies.append(claim / 1000)
            completions.append(completion / 1000)
        }
    }
    var status: Int32 = 0
    waitpid(reader.pid, &status, 0)
}
let seconds = Date().timeIntervalSince(began)
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
}
func distribution(_ values: [Double]) -> String {
    let s = values.sorted()
    return String(format: "median %.2f, p95 %.2f, p99 %.2f, max %.2f", quantile(s, 0.5), quantile(s, 0.95), quantile(s, 0.99), s.last ?? .nan)
}
let done = try index.db.scalar("SELECT count(*) FROM jobs WHERE state = 'done'").int64 ?? 0
let rows = try index.db.scalar("SELECT count(*) FROM metrics").int64 ?? 0
print(String(format: "sharp-fleet-bench: %d jobs, %d claimers, %@ (%@)", queued, claimers, location.dialect.isShared ? "PostgreSQL" : "SQLite",
             location.description))
print("claim latency (ms): \(distribution(latencies)) over \(latencies.count) claims")
print("completion latency (ms, results and done in one transaction): \(distribution(completions))")
print(String(format: "throughput: %.0f claims+completions/s (%.1f s in all)", Double(completed) / seconds, seconds))
let exact = completed == queued && done == queued && rows == queued && latencies.count == queued
print("exactly once: \(exact ? "yes" : "NO") (\(completed) completions, \(done) done, \(rows) result rows, \(latencies.count) claims)")
exit(exact ? 0 : 1)
