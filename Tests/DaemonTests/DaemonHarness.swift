import Foundation
import Glibc
import Index
import IndexQueries
import PluginHost
import Testing

/// Runs the built `sharp`, `sharpd` and `sharpq` executables (they sit next to the test bundle
/// in the build's products directory) against a temporary store.
final class DaemonHarness {
    /// Temporary directory holding `store/` and logs; removed at the end.
    let root: String
    /// `<root>/store`.
    let store: String
    /// Where the executables are.
    let bin: String

    init(_ name: String) throws {
        bin = PluginSearchPath.executableDirectory() ?? ""
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sharpd-\(name)-\(UUID().uuidString.prefix(8))").path
        store = root + "/store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// True when the executables were built (tools/test builds everything first).
    var hasExecutables: Bool { ["sharp", "sharpd", "sharpq"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(bin)/\($0)") } }

    /// Runs a tool to completion in `root`; returns its status and combined output.
    @discardableResult
    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = try start(tool, arguments, log: "\(root)/\((tool as NSString).lastPathComponent)-\(UUID().uuidString.prefix(6)).log", environment: environment)
        process.waitUntilExit()
        return (process.terminationStatus, log(of: process))
    }

    private var logs: [ObjectIdentifier: String] = [:]

    /// Starts a tool in `root` with output to `log`.
    func start(_ tool: String, _ arguments: [String], log: String? = nil, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "\(bin)/\(tool)")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let path = log ?? "\(root)/\((tool as NSString).lastPathComponent)-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        logs[ObjectIdentifier(process)] = path
        return process
    }

    /// Everything a started process wrote so far.
    func log(of process: Process) -> String {
        logs[ObjectIdentifier(process)].flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }

    /// Trains a tiny mlp into `directory` (default: the store); returns the checkpoint paths.
    @discardableResult
    func trainTinyModel(into directory: String? = nil, epochs: Int = 1, checkpointEvery: Int = 0, seed: Int = 0) throws -> [String] {
        let target = directory ?? store
        let (status, output) = try run("sharp", [
            "train", "--model", "mlp", "--data", "bus-synth:count=48", "--image-size", "16", "--epochs", String(epochs),
            "--checkpoint-every", String(checkpointEvery), "--seed", String(seed), "--store", target,
        ])
        #expect(status == 0, "sharp train failed:\n\(output)")
        return output.split(separator: "\n").filter { $0.hasPrefix("checkpoint ") }.map { String($0.dropFirst("checkpoint ".count)) }
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    func wait(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    /// The first cell of a query on the index (read-only), nil if the index or the row is missing.
    func cell(_ sql: String) -> ResultCell? {
        guard let index = try? IndexStore(store: store, mode: .readOnly), let table = try? index.readOnlyQuery(sql) else { return nil }
        return table.rows.first?.first
    }

    /// One integer from the index, nil if missing.
    func scalar(_ sql: String) -> Int64? {
        if case .integer(let v) = cell(sql) { return v }
        return nil
    }

    /// One text value from the index, nil if missing.
    func scalarText(_ sql: String) -> String? {
        if case .text(let v) = cell(sql) { return v }
        return nil
    }

    /// CPU time (user + system, clock ticks) a process has used.
    static func cpuTicks(of pid: pid_t) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}

/// This checkout (the scaffolded plugin package depends on its PluginKit).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
