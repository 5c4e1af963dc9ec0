import ArgumentParser
import CommandLineSupport
import Foundation
import Index
import Study
import Tensor
import Training

/// `sharp study`: the whole study in one command (docs/study.md).
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train every model × optimizer × seed, score the final checkpoints, write the paper's tables and figures.",
        discussion: """
            Cells already finished are skipped and interrupted ones resume, so rerunning continues a study. \
            Scoring goes through a running sharpd (it scores what lands in the store; this waits for it), \
            else `sharpd --once`, else this process. The report (report.md, results.csv, summary.csv, SVG figures) \
            is built from <store>/index.sqlite. Examples:
              sharp study --preset quick                    # minutes: 2 models, adam/sam, 2 seeds
              sharp study --preset paper --models vgg-mini  # one family of the full grid
              sharp study --preset quick --scoring none     # train only
              sharp study --preset quick --report-only --out /tmp/report
              sharp study --preset paper --status
              sharpd --store store/ $(sharp study --preset quick --print-sharpd-arguments) &
            """)

    @Option(help: "Preset grid and settings: quick or paper.") var preset: StudyPlan.Preset = .quick
    @Option(help: "Study name (folder <store>/study/<name>, run ids study-<name>-...); default: the preset's.") var name: String?
    @Option(help: "Comma-separated models (default: the preset's).") var models: String?
    @Option(help: "Comma-separated optimizer plugins (default: the preset's; the baseline adam is added if missing).") var optimizers: String?
    @Option(help: "Number of seeds (0, 1, ..., N-1).") var seeds: Int?
    @Option(name: .customLong("data"), help: "bus-synth[:count=N,seed=S,benign=B], a folder, or a MedMNIST .npz.") var data: String?
    @Option(help: "Image size (square).") var imageSize: Int?
    @Option(help: "Epoch cap.") var epochs: Int?
    @Option(help: "Keep an intermediate checkpoint every N epochs, so an interrupted cell resumes from it (0: none; default: the preset's).")
    var checkpointEvery: Int?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(help: "Training samples for the Hessian metrics (N or all).") var samples: String?
    @Option(name: .customLong("metric"), parsing: .singleValue, help: "Metric NAME[:k=v,...] (repeatable; replaces the preset's list).")
    var metrics: [String] = []
    @Option(name: .customLong("store"), help: "Store directory (default: SHARP_STORE, else store).") var storeArgument: String?
    /// --store, else SHARP_STORE, else `store`.
    var store: String { StoreArgument.resolve(storeArgument) }
    @Option(
        help: ArgumentHelp(
            "Where results are read and written: postgres://USER@HOST/DB or an index.sqlite path (default: SHARP_INDEX_URL, else <store>/index.sqlite).",
            discussion: "Give a password through PGPASSWORD or ~/.pgpass, not in the URL."))
    var index: String?
    @Option(help: "Report folder (default: <store>/study/<name>/report).") var out: String?
    @Option(help: "How to score: auto, daemon, once, in-process or none.") var scoring: StudySession.ScoringChoice = .auto
    @Option(help: "Seconds to wait for a running sharpd before writing the report with what is there.") var waitTimeout: Double = 6 * 3600
    @Flag(help: "Do not train; report on the finished cells.") var reportOnly = false
    @Flag(help: ArgumentHelp(
        "Put the cells on the index's training queue for `sharpd --train` on any host sharing the store, wait for them, then score and report.",
        discussion: "Use with --index postgres://… (docs/fleet.md §7)."))
    var distributed = false
    @Flag(help: "Print each cell's state (finished, training, not started), its scoring, and the training time left; train nothing.")
    var status = false
    @Flag(inversion: .prefixedNo, help: "Loss-landscape slices (adam vs sam, seed 0) in the report.") var landscape = true
    @Flag(help: "Print the sharpd options (one per line) that score checkpoints as this study does, and exit.")
    var printSharpdArguments = false
    @Flag(help: "Print the plan as KEY=VALUE lines (name, folder, models, optimizers, seeds, run_ids; lists comma-separated) and exit.")
    var printPlan = false
    @Option(help: "Threads for Sharp's kernels (default: all CPUs).") var threads: Int?

    func validate() throws {
        if let s = seeds, s < 1 { throw ValidationError("--seeds must be at least 1") }
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1") }
        if let c = checkpointEvery, c < 0 { throw ValidationError("--checkpoint-every must be 0 or positive") }
        if let s = imageSize, s < 8 { throw ValidationError("--image-size must be at least 8") }
        if let l = lr, !(l > 0) { throw ValidationError("--lr must be positive") }
        if let s = samples, s != "all", (Int(s) ?? 0) < 1 { throw ValidationError("--samples must be a positive number or all") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let n = name, n.isEmpty || n.contains("/") || n.hasPrefix(".") { throw ValidationError("--name must be a plain folder name") }
        if distributed && reportOnly { throw ValidationError("--distributed trains through the fleet; --report-only trains nothing: give one of them") }
    }

    func run() throws {
        if let threads { Parallel.configure(threads: threads) }
        let plan = makePlan()
        let location: IndexLocation
        do {
            location = try IndexLocation.resolve(index: index, store: store)
        } catch let error as IndexError {
            throw ValidationError(error.message)
        }
        var session = StudySession(plan: plan, store: store, index: location)
        if printSharpdArguments {
            for argument in StudyScoring(plan: plan, store: store).daemonArguments { print(argument) }
            return
        }
        if status {
            guard FileManager.default.fileExists(atPath: session.layout.directory) else {
                throw CommandFailure("no study '\(plan.name)' in \(store) (no folder \(session.layout.directory)); "
                    + "`sharp study --preset \(preset.rawValue) --store \(store)` starts it")
            }
            let index = location.mayHoldIndex ? try IndexStore(location, mode: .readOnly) : nil
            print(try StudyStatus.gather(plan: plan, layout: session.layout, index: index).text())
            return
        }
        if printPlan {
            print("name=\(plan.name)")
            print("folder=\(session.layout.directory)")
            print("models=\(plan.models.joined(separator: ","))")
            print("optimizers=\(plan.optimizers.joined(separator: ","))")
            print("seeds=\(plan.seeds.map(String.init).joined(separator: ","))")
            print("run_ids=\(plan.cells.map(\.runID).joined(separator: ","))")
            return
        }
        session.train = !reportOnly
        session.distributed = distributed
        session.scoring = reportOnly ? .skip : scoring
        session.reportDirectory = out
        session.threads = threads
        session.waitTimeout = waitTimeout
        session.landscapes = landscape
        session.log = { ProgressPrinter.line("sharp study: " + $0) }
        session.progress = { _ in StudyProgress() }
        ProgressPrinter.line("sharp study: \(plan.name): \(plan.models.count) models × \(plan.optimizers.count) optimizers × "
            + "\(plan.seeds.count) seeds = \(plan.cells.count) cells; data \(plan.data) at \(plan.imageSize)px, "
            + "up to \(plan.maxEpochs) epochs; store \(store)")
        let summary: StudySession.Summary
        do {
            summary = try session.run()
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as StudyError {
            throw CommandFailure(error.description)
        }
        ProgressPrinter.line("sharp study: \(summary.trained) cell(s) trained, \(summary.skipped) already finished"
            + (summary.unfinished > 0 ? ", \(summary.unfinished) \(distributed ? "failed or unfinished" : "not trained yet")" : ""))
        if let report = summary.reportFiles.first(where: { $0.hasSuffix("report.md") }) {
            ProgressPrinter.line("sharp study: report: \(report) (+ \(summary.reportFiles.count - 1) files beside it)")
        }
    }

    /// The preset with the command line's overrides.
    func makePlan() -> StudyPlan {
        var plan = StudyPlan.preset(preset)
        if let name { plan.name = name }
        func list(_ text: String) -> [String] { text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let models { plan.models = list(models) }
        if let optimizers {
            plan.optimizers = list(optimizers)
            if !plan.optimizers.contains(plan.baseline) { plan.optimizers.insert(plan.baseline, at: 0) }
        }
        if let seeds { plan.seeds = (0..<UInt64(seeds)).map { $0 } }
        if let data { plan.data = data }
        if let imageSize { plan.imageSize = imageSize }
        if let epochs { plan.maxEpochs = epochs }
        if let checkpointEvery { plan.checkpointEvery = checkpointEvery }
        if let lr { plan.learningRate = lr }
        if let samples { plan.evaluationSamples = samples == "all" ? nil : Int(samples) }
        if !metrics.isEmpty { plan.metrics = metrics }
        return plan
    }
}

extension StudyPlan.Preset: ExpressibleByArgument {}
extension StudySession.ScoringChoice: ExpressibleByArgument {}

/// A study cell's training progress: a redrawn bar on a terminal; elsewhere (a log file, a
/// service) one plain line every 10 epochs, so a long cell shows it is moving.
final class StudyProgress: TrainingProgress {
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = 0.0

    func batchFinished(epoch: Int, batch: Int, of batches: Int, loss: Double, accuracy: Double, elapsed: Double) {
        guard isTerminal, elapsed - lastDraw > 0.2 else { return }
        lastDraw = elapsed
        let line = String(format: "\r  epoch %3d  batch %4d/%d  loss %.4f  acc %5.1f%%  %.0fs ", epoch, batch, batches, loss, 100 * accuracy, elapsed)
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func epochFinished(_ r: EpochRecord, maxEpochs: Int) {
        guard !isTerminal, r.epoch % 10 == 0 else { return }
        ProgressPrinter.line(String(format: "  epoch %d/%d: loss %.4f, train accuracy %.1f%%, %.1f s per epoch",
                                    r.epoch, maxEpochs, r.trainLoss, 100 * r.trainAccuracy, r.seconds))
    }

    func checkpointWritten(path: String) {
        if isTerminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }
}
