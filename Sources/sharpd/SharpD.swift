import ArgumentParser
import BuildInfo
import CommandLineSupport
import Daemon
import Datasets
import Index
import Logging
import Foundation
import Glibc
import MachineCheck
import PluginHost
import Scoring
import Tensor
import WebUI

/// `sharpd`: the scoring daemon. `sharpd --store DIR` watches DIR; `worker` and `plan` are the
/// child processes it starts (hidden: they are not meant to be run by hand).
@main
struct SharpD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpd",
        abstract: "Score every checkpoint dropped into a store with the metric plugins; results go to <store>/index.sqlite.",
        discussion: """
            Examples:
              sharpd --store store/            # watch; score with every plugin found
              sharpd --store store/ --once     # score what is there, then exit
              sharpd --store store/ --metric hessian-trace:probes=20 --metric accuracy
              sharpd --http 127.0.0.1:9464     # also the web UI and Prometheus /metrics
            The store may also come from SHARP_STORE. Every option: sharpd run --help.
            Query the results with sharpq (sharpq top --metric trace, sharpq serve).
            SIGTERM or Ctrl-C stops it: running jobs get --grace seconds to finish, then
            they are requeued. SIGHUP rescans. docs/daemon.md has the rest.
            """,
        version: BuildInfo.description,
        subcommands: [RunDaemon.self, RetryCommand.self, WorkerCommand.self, PlanCommand.self, TrainCellCommand.self],
        defaultSubcommand: RunDaemon.self)

    static func main() {
        KernelRestart.useBestKernel()
        ExitCodes.run(SharpD.self)
    }
}

/// Metric and evaluation options shared by the daemon and its planner.
struct MetricOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: "Store directory to watch (checkpoints anywhere below it; default: SHARP_STORE).")
    var storeArgument: String?
    /// --store, else SHARP_STORE (`validate` makes sure there is one).
    var store: String { StoreArgument.optional(storeArgument) ?? "" }
    @Option(
        help: ArgumentHelp(
            "The index: postgres://USER@HOST/DB, shared by several hosts, or an index.sqlite path (default: SHARP_INDEX_URL, else <store>/index.sqlite).",
            discussion: "Give a password through PGPASSWORD or ~/.pgpass, not in the URL."))
    var index: String?

    /// `--index`, SHARP_INDEX_URL or the store's own file.
    func indexLocation() throws -> IndexLocation {
        do {
            return try IndexLocation.resolve(index: index, store: store)
        } catch let error as IndexError {
            throw ValidationError(error.message)
        }
    }
    @Option(name: .customLong("metric"), parsing: .singleValue,
            help: "Metric NAME[:key=value,...] to score with (repeatable; default: every metric plugin found, as `sharp score` runs them).")
    var metric: [String] = []
    @Option(help: "Comma-separated metric names (plain names; use --metric for parameters).") var metrics: String?
    @Option(name: .customLong("skip-metric"), help: "Without --metric: leave out this plugin (repeatable); plugins installed later are still used.")
    var skipMetric: [String] = []
    @Option(help: "Split of the Hessian metrics' data: train or test.") var split: EvaluationOptions.Split = .train
    @Option(help: "Samples of the split the Hessian metrics use: N or all.") var samples = "128"
    @Option(help: "Seed of the permutation the samples are the head of.") var subsetSeed: UInt64 = 0
    @Option(help: "Images per batch (default: the checkpoint's training batch size).") var batchSize: Int?
    @Option(help: "Model mode for the metrics: eval or train.") var mode: ModeOption = .eval
    @Option(help: "Element type the model runs in: float32 or float64.") var precision: PrecisionOption = .float32
    @Option(help: "Seed for the metrics' random probes.") var seed: UInt64 = 0
    @Option(name: .customLong("data-root"), help: "Where moved datasets are now (repeatable; also SHARP_DATA_ROOT): a manifest's data path is looked for under it by its last components.")
    var dataRoot: [String] = []

    func validate() throws {
        guard StoreArgument.optional(storeArgument) != nil else {
            throw ValidationError("which store? Give --store DIR or set \(StoreArgument.environmentVariable)")
        }
        if samples != "all", (Int(samples) ?? 0) < 1 { throw ValidationError("--samples must be a positive number or all") }
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be at least 1") }
        for r in requests { _ = try parse(r) }
        if !requests.isEmpty, !skipMetric.isEmpty { throw ValidationError("--skip-metric only applies without --metric/--metrics") }
    }

    var requests: [String] {
        metric + (metrics ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func parse(_ text: String) throws -> MetricRequest {
        do { return try MetricRequest(parsing: text) } catch { throw ValidationError("--metric \(text): \(error)") }
    }

    var evaluation: EvaluationOptions {
        EvaluationOptions(
            split: split, samples: samples, subsetSeed: subsetSeed, batchSize: batchSize, mode: mode == .eval ? .evaluation : .training,
            precision: precision == .float64 ? .float64 : .float32, seed: seed)
    }
}

extension EvaluationOptions.Split: ExpressibleByArgument {}
extension DaemonLog.Format: ExpressibleByArgument {}

/// `--log-level`.
enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case debug, info, warning, error

    var level: Logger.Level {
        switch self {
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }
}

struct RunDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Watch a store and score its checkpoints (the default).")

    @OptionGroup var options: MetricOptions
    @Option(help: "Worker processes scoring at the same time.") var workers = 1
    @Option(help: "Kernel threads per worker (default: the CPUs divided among the workers).") var threads: Int?
    @Flag(help: "Score what is in the store, then exit (exit status 1 if a job failed or a file was quarantined).") var once = false
    @Option(help: "Seconds a job may run before its worker is killed and the job failed.") var timeout: Double = 3 * 3600
    @Option(help: "Seconds running jobs get to finish after SIGTERM/SIGINT before they are requeued.") var grace: Double = 10
    @Option(help: "Attempts for a job that fails transiently (busy index, full disk).") var maxAttempts = 5
    @Option(help: "Memory (MiB) per worker for cached per-batch graphs.") var cacheMb = 2048
    @Option(help: "Cap (MiB) on each worker's resident memory in eval mode: batches are split so one exact HVP fits (default: 6 GiB or half the machine's memory; 0: no cap).")
    var memoryMb: Int?
    @Option(help: "Seconds a claimed job stays this daemon's without renewal; after a crash or a cut-off this long, other daemons on the index take it over.")
    var lease: Double = JobLease.standard
    @Option(help: ArgumentHelp(
        "Seconds between rescans of the store for files other hosts wrote; 0: never (default: 60 with a postgres:// index, never with SQLite).",
        valueName: "seconds"))
    var scanInterval: Double?
    @Flag(help: "Also train a distributed study's cells (sharp study --distributed), one at a time, from the index's training queue.")
    var train = false
    @Flag(help: "Log every job (the same as --log-level debug).") var verbose = false
    @Option(help: "Lowest level logged: debug, info, warning or error.") var logLevel: LogLevelOption = .info
    @Option(help: "Log lines as text or json (one object per line with job, checkpoint, plugin and duration fields).")
    var logFormat: DaemonLog.Format = .text
    @Option(help: ArgumentHelp(
        "Serve the web UI (as sharpq serve) and Prometheus metrics on /metrics at HOST:PORT (or PORT on 127.0.0.1).",
        valueName: "address"))
    var http: String?
    @Flag(help: "Allow --http on an address other machines can reach (there is no login).") var allowRemote = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        if let m = memoryMb, m < 0 { throw ValidationError("--memory-mb must be 0 (no cap) or positive") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
        if let s = scanInterval, s < 0 { throw ValidationError("--scan-interval must be 0 (never) or positive") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let http {
            guard let (host, _) = DaemonHTTP.parse(http) else {
                throw ValidationError("--http \(http): give HOST:PORT, [IPV6]:PORT or PORT (for example 127.0.0.1:9464)")
            }
            if !WebServer.isLoopback(host) && !allowRemote {
                throw ValidationError("--http \(http) would let other machines read the index; add --allow-remote if that is what you want")
            }
        }
        guard timeout > 0, grace >= 0, maxAttempts >= 1 else { throw ValidationError("--timeout, --grace and --max-attempts must be positive") }
    }

    func run() throws {
        DatasetSpec.addDataRoots(options.dataRoot)  // the workers inherit it
        var c = DaemonConfiguration(store: options.store, index: try options.indexLocation(), executable: Self.executablePath)
        c.workers = workers
        c.threadsPerWorker = threads
        c.metricRequests = options.requests
        c.skippedMetrics = options.skipMetric
        c.evaluation = options.evaluation
        c.once = once
        c.jobTimeout = timeout
        c.shutdownGrace = grace
        c.maxAttempts = maxAttempts
        c.cacheBytes = cacheMb << 20
        if let memoryMb { c.memoryBytes = memoryMb << 20 }
        c.verbose = verbose
        c.lease = lease
        c.train = train
        c.scanInterval = scanInterval
        c.softwareVersion = BuildInfo.description
        let status: Int32
        let log = DaemonLog(level: verbose ? .debug : logLevel.level, format: logFormat)
        do {
            let daemon = try Daemon(configuration: c, log: log)
            if let http, let (host, port) = DaemonHTTP.parse(http) {
                if !WebServer.isLoopback(host) {
                    log.warning("--http \(http): anyone who can reach this address can read the index (there is no login)")
                }
                let url = try DaemonHTTP.start(host: host, port: port, store: options.store, index: c.layout.index)
                log.info("serving the web UI at \(url) and Prometheus metrics at \(url)metrics", ["url": "\(url)"])
            }
            status = try daemon.run()
        } catch let error as DaemonError {
            throw CommandFailure("sharpd: \(error)")
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// This program's own path, for starting workers (argv[0] may be relative or a symlink).
    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }
}

/// Prints the metric plan (one JSON object per line) for the daemon.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the metric plan (used by sharpd).",
                                                    shouldDisplay: false)
    @OptionGroup var options: MetricOptions

    func run() throws {
        let registry = PluginRegistry(store: options.store)
        for problem in registry.problems { FileHandle.standardError.write(Data("sharpd: warning: \(problem)\n".utf8)) }
        do {
            let plan = try MetricPlan.make(asked: try options.requests.map(options.parse), skipped: options.skipMetric, evaluation: options.evaluation, registry: registry)
            print(MetricPlan.encode(plan))
        } catch {
            throw CommandFailure("sharpd: metric plan: \(error)")
        }
    }
}

/// Scores a batch of claimed jobs (started by sharpd).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Score claimed jobs (started by sharpd).",
                                                    shouldDisplay: false)
    @Option var store: String
    @Option var worker: String
    @Option var jobs: String
    @Option var cacheMb = 2048
    @Option var memoryMb = EvaluationOptions.defaultMemoryBytes >> 20

    func run() throws {
        // Reports go to the daemon on the original stdout; anything else a plugin prints goes to
        // stderr, so it cannot be mistaken for a report.
        let reports = dup(1)
        dup2(2, 1)
        WorkerLifeline.exitWhenDaemonDies()
        // The daemon hands its index to workers in SHARP_INDEX_URL.
        let layout = StoreLayout(root: store, index: try IndexLocation.resolve(index: nil, store: store))
        var session = WorkerSession(layout: layout, worker: worker,
                                    jobIDs: jobs.split(separator: ",").compactMap { Int64($0) }) { report in
            let line = Array((report.line + "\n").utf8)
            _ = line.withUnsafeBytes { write(reports, $0.baseAddress, $0.count) }
        }
        session.cacheBytes = cacheMb << 20
        session.memoryBytes = memoryMb << 20
        session.run()
    }
}
