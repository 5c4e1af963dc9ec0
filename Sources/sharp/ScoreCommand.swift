import ArgumentParser
import CommandLineSupport
import Datasets
import Foundation
import Index
import IndexRecords
import NN
import PluginHost
import Scoring
import Tensor

/// `sharp score`: runs metric plugins on checkpoints, without the daemon.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score checkpoints with metric plugins (Hessian eigenvalues, trace, spectrum, accuracy, sharpness).",
        discussion: """
            Default metrics: \(MetricRequest.defaults.map(\.description).joined(separator: ", ")) (docs/metrics.md); \
            for a full-size model (resnet50, vgg16, vit-b16, swin-t, ...): \
            \(MetricRequest.fullSizeDefaults.map(\.description).joined(separator: ", ")). \
            The Hessian metrics use 128 samples of the training split unless --samples says otherwise, in batches \
            weighted by size, in evaluation mode; accuracy always uses both whole splits.

            Examples:
              sharp score store/run1-e0010.ckpt.tar.zst
              sharp score store/*.ckpt.tar.zst --metric hessian-eigen:method=power --format csv
              sharp score run.ckpt.tar.zst --metric hessian-spectrum:mode=per-batch --samples all
              sharp score run.ckpt.tar.zst --metric hessian-trace --metric hessian-spectrum:mode=per-batch,samples=all

            A metric can take its own evaluation data with the host keys samples=N|all, split=train|test \
            and batch=N in its request; the other metrics keep the data the options select.
            """)

    @Argument(help: "Checkpoint files (*.ckpt.tar.zst).") var checkpoints: [String]
    @Option(name: .customLong("metric"), parsing: .singleValue, help: "NAME[:key=value,...] (repeatable; default: all built-in metrics).")
    var metrics: [String] = []
    @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table
    @Option(help: "Split of the Hessian metrics' data: train or test.") var split: EvaluationOptions.Split = .train
    @Option(help: ArgumentHelp("Samples of the split the Hessian metrics use: N (the first N of a seeded permutation) or all.",
                               discussion: "The default metrics take about 600 HVPs (docs/metrics.md); on vgg-mini at 128 samples the former 1,100 took 42 minutes on 2 busy cores."))
    var samples = "128"
    @Option(help: "Seed of that permutation.") var subsetSeed: UInt64 = 0
    @Option(help: "Images per batch (default: the checkpoint's training batch size).") var batchSize: Int?
    @Option(help: "Model mode for the metrics: eval (default) or train.") var mode: ModeOption = .eval
    @Option(help: "Element type the model runs in: float32 (default) or float64.") var precision: PrecisionOption = .float32
    @Option(help: "Seed for the metrics' random probes.") var seed: UInt64 = 0
    @Option(help: "Memory (MiB) for cached per-batch graphs, which spare repeated HVPs their forward pass.") var cacheMb = 4096
    @Option(help: "Cap (MiB) on resident memory while scoring in eval mode: batches are split so one exact HVP fits (default: 6 GiB or half the machine's memory; 0: no cap).")
    var memoryMb: Int?
    @Flag(inversion: .prefixedNo, help: "Also report sharpness.<optimizer> for every optimizer plugin with a perturbation.")
    var optimizerSharpness = true
    @Option(name: .customLong("store"), help: "Store whose plugins/ directory is searched too (default: SHARP_STORE).") var storeArgument: String?
    /// --store, else SHARP_STORE.
    var store: String? { StoreArgument.optional(storeArgument) }
    @Option(help: ArgumentHelp(
        "Also record the results in this index, as sharpd would: postgres://USER@HOST/DB or an index.sqlite path (default: SHARP_INDEX_URL if set, else none).",
        discussion: "Give a password through PGPASSWORD or ~/.pgpass, not in the URL."))
    var index: String?
    @Option(help: "Threads for Sharp's kernels (default: all CPUs).") var threads: Int?
    @Option(name: .customLong("data-root"), help: "Where moved datasets are now (repeatable; also SHARP_DATA_ROOT): a manifest's data path is looked for under it by its last components.")
    var dataRoot: [String] = []

    enum OutputFormat: String, ExpressibleByArgument { case table, json, csv }

    func validate() throws {
        if samples != "all", (Int(samples) ?? 0) < 1 { throw ValidationError("--samples must be a positive number or all") }
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let m = memoryMb, m < 0 { throw ValidationError("--memory-mb must be 0 (no cap) or positive") }
    }

    func run() throws {
        if let threads { Parallel.configure(threads: threads) }
        DatasetSpec.addDataRoots(dataRoot)
        let registry = PluginRegistry(store: store)
        let requests = try metrics.isEmpty
            ? MetricRequest.defaults(for: mode == .eval ? .evaluation : .training, registry: registry) : metrics.map { try MetricRequest(parsing: $0) }
        var options = EvaluationOptions(
            split: split, samples: samples, subsetSeed: subsetSeed, batchSize: batchSize, mode: mode == .eval ? .evaluation : .training,
            precision: precision == .float32 ? .float32 : .float64, seed: seed)
        options.cacheBytes = cacheMb << 20
        options.memoryBytes = memoryMb.map { $0 == 0 ? nil : $0 << 20 } ?? EvaluationOptions.defaultMemoryBytes
        var report = ScoreReport(entries: [])
        let recorder = try indexRecorder()
        do {
            for path in checkpoints {
                var session = ScoreSession(path: path, options: options, registry: registry, optimizerSharpness: optimizerSharpness)
                session.recorder = recorder
                report.entries.append(try session.run(requests, fullSize: metrics.isEmpty ? MetricRequest.fullSizeDefaults : nil))
            }
        } catch let error as ScoringError {
            throw CommandFailure(error.description)
        } catch let error as IndexError {
            throw CommandFailure("sharp score: \(error.message)")
        }
        switch format {
        case .table: print(report.table())
        case .csv: print(report.csv(), terminator: "")
        case .json: print(try report.json())
        }
    }
}

extension ScoreCommand {
    /// The index given by --index or SHARP_INDEX_URL, opened (created, migrated) for writing; nil
    /// without either.
    func indexRecorder() throws -> ScoreRecorder? {
        let environment = ProcessInfo.processInfo.environment[IndexLocation.environmentVariable] ?? ""
        guard index != nil || !environment.isEmpty else { return nil }
        do {
            let location = try IndexLocation.resolve(index: index, store: store ?? ".")
            return ScoreRecorder(index: try IndexStore(location))
        } catch let error as IndexError {
            throw CommandFailure("sharp score: \(error.message)")
        }
    }
}

extension EvaluationOptions.Split: ExpressibleByArgument {}

/// One checkpoint's scoring as `sharp score` runs it: progress lines on stderr for each metric.
private struct ScoreSession {
    let path: String
    let options: EvaluationOptions
    let registry: PluginRegistry
    let optimizerSharpness: Bool
    /// Where the results are recorded too (`--index`), if anywhere.
    var recorder: ScoreRecorder?

    /// Scores with `requests`, or with `fullSize` when given and the model is a full-size one.
    func run(_ asked: [MetricRequest], fullSize: [MetricRequest]? = nil) throws -> ScoreReport.Entry {
        let scorer = try Scorer(checkpoint: path, options: options, registry: registry)
        scorer.includeOptimizerSharpness = optimizerSharpness
        let c = scorer.context
        let m = c.subject.manifest
        var requests = asked
        if let fullSize, ModelZoo.isFullSize(m.model.name) {
            requests = fullSize
            log("\(path): \(m.model.name) is a full-size model: the full-size default budget, "
                + "\(fullSize.map(\.description).joined(separator: ", ")) (docs/metrics.md; --metric for others)")
        }
        log("\(path): \(m.model.name), \(m.optimizer.plugin), \(c.subject.layout.reduce(0) { $0 + $1.count }) parameters; "
            + "\(options.split.rawValue) subset of \(c.evaluationSampleCount) samples in \(c.evaluationBatches.count) batches of \(c.batchSize)")
        if let plan = c.memoryPlan, plan.batchSize < c.batchSize || !plan.fits { log("  \(plan.summary)") }
        var outcomes: [MetricOutcome] = []
        for request in requests {
            let start = Date()
            var lastShown = start
            let c = try scorer.context(for: request)
            if !request.overrides.isEmpty {
                log("  \(request.description): \(c.options.split.rawValue) subset of \(c.evaluationSampleCount) samples in \(c.evaluationBatches.count) batches of \(c.batchSize)")
            }
            // The context's counters run across every metric of the checkpoint: count this one's.
            let productsBefore = c.counters.hessianVectorProducts
            let outcome = try scorer.run(request) { fraction in
                // Long metrics say where they are every few seconds; short ones stay quiet.
                let now = Date()
                guard now.timeIntervalSince(lastShown) >= 5 else { return }
                lastShown = now
                log(String(format: "  %@: %3.0f%% after %.0fs (%d HVPs so far)", request.description, 100 * fraction,
                           now.timeIntervalSince(start), c.counters.hessianVectorProducts - productsBefore))
            }
            log(String(format: "  %@: %.1fs, %d HVPs", request.description, outcome.seconds, outcome.counters.hessianVectorProducts))
            for note in outcome.notes { log("  \(request.description): \(note)") }
            outcomes.append(outcome)
        }
        if let recorder {
            let id = try recorder.record(checkpointAt: path, manifest: m)
            for (request, outcome) in zip(requests, outcomes) {
                try recorder.record(outcome, checkpointID: id, key: try ScoreRecorder.key(for: request, options: options, registry: registry,
                                                                                            optimizerSharpness: optimizerSharpness))
            }
            log("  recorded in \(recorder.index.location)")
        }
        let evaluation = [
            "split": options.split.rawValue, "samples": String(c.evaluationSampleCount), "batch_size": String(c.batchSize),
            "mode": options.mode.rawValue, "precision": options.precision.rawValue, "seed": String(options.seed),
        ]
        return ScoreReport.Entry(checkpoint: path, runID: m.runID, model: m.model.name, optimizer: m.optimizer.plugin,
                                 evaluation: evaluation, metrics: outcomes)
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
