import Charts
import ArgumentParser
import CommandLineSupport
import Foundation
import Scoring
import Study
import Tensor

/// `sharp landscape`: 1-D and 2-D loss slices around a checkpoint along filter-normalised random
/// directions (Li et al. 2018), as an SVG (and optionally CSV).
struct LandscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landscape",
        abstract: "Plot the loss around a checkpoint along filter-normalised random directions (1-D and 2-D slices).",
        discussion: """
            Directions are Gaussian, rescaled filter by filter to the weights' filter norms; biases and \
            normalisation parameters stay fixed (Li et al. 2018, docs/study.md). Losses are means over the \
            evaluation samples in evaluation mode, so α = 0 is the checkpoint's own loss. Examples:
              sharp landscape store/run-e0010.ckpt.tar.zst --out landscape.svg
              sharp landscape run.ckpt.tar.zst --out l.svg --no-surface --points 41 --extent 0.5 --csv l.csv
            """)

    @Argument(help: "Checkpoint file (*.ckpt.tar.zst).") var checkpoint: String
    @Option(help: "SVG file to write.") var out = "landscape.svg"
    @Option(help: "Also write the points as CSV (alpha, beta, loss, accuracy).") var csv: String?
    @Option(help: "Half-width of the α (and β) range.") var extent = 1.0
    @Option(help: "Points along the 1-D slice.") var points = 31
    @Option(help: "Points per side of the 2-D grid.") var grid = 15
    @Flag(inversion: .prefixedNo, help: "Also compute the 2-D surface (grid² loss evaluations).") var surface = true
    @Option(help: "Split of the samples: train or test.") var split: EvaluationOptions.Split = .train
    @Option(help: "Samples of that split (N or all).") var samples = "128"
    @Option(help: "Seed of the directions.") var seed: UInt64 = 0
    @Option(help: "Threads for Sharp's kernels (default: all CPUs).") var threads: Int?

    func validate() throws {
        guard extent > 0 else { throw ValidationError("--extent must be positive") }
        guard points >= 3, grid >= 3 else { throw ValidationError("--points and --grid must be at least 3") }
        if samples != "all", (Int(samples) ?? 0) < 1 { throw ValidationError("--samples must be a positive number or all") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Parallel.configure(threads: threads) }
        var options = EvaluationOptions()
        options.split = split
        options.sampleCount = samples == "all" ? nil : Int(samples)
        let context: EvaluationContext
        do {
            let subject = try ScoringSubject(path: checkpoint)
            let available = split == .train ? subject.dataset.trainIndices.count : subject.dataset.testIndices.count
            if let n = options.sampleCount, n > available { options.sampleCount = nil }
            context = try EvaluationContext(subject: subject, options: options)
        } catch let error as ScoringError {
            throw CommandFailure("\(error)")
        }
        let landscape = LossLandscape(context: context)
        let first = landscape.direction(seed: seed, stream: 0)
        let clock = Date()
        let progress: (Int, Int) -> Void = { done, total in
            if done == total || done % 25 == 0 {
                ProgressPrinter.line(String(format: "  %d/%d loss evaluations, %.0f s", done, total, Date().timeIntervalSince(clock)))
            }
        }
        let m = context.subject.manifest
        ProgressPrinter.line("sharp landscape: \(m.model.name) \(m.optimizer.plugin), epoch \(m.training.epoch); "
            + "\(context.evaluationSampleCount) \(split.rawValue) samples; 1-D: \(points) points"
            + (surface ? ", 2-D: \(grid)×\(grid)" : ""))
        let line = try landscape.slice(first, alphas: LossLandscape.grid(extent: extent, count: points), progress: progress)
        var plane: [[LossLandscape.Point]]?
        if surface {
            let second = landscape.direction(seed: seed, stream: 1)
            let axis = LossLandscape.grid(extent: extent, count: grid)
            plane = try landscape.surface(first, second, alphas: axis, betas: axis, progress: progress)
        }
        let name = (checkpoint as NSString).lastPathComponent
        let svg = LossLandscape.figure(
            title: "Loss landscape of \(name) (\(m.model.name), \(m.optimizer.plugin), epoch \(m.training.epoch))",
            slices: [(m.optimizer.plugin, Colormap.optimizer(m.optimizer.plugin), line)], surface: plane)
        try svg.write(to: out)
        ProgressPrinter.line("sharp landscape: wrote \(out)")
        if let csv {
            var text = "alpha,beta,loss,accuracy\n"
            for p in line + (plane ?? []).flatMap({ $0 }) { text += "\(p.alpha),\(p.beta),\(p.loss),\(p.accuracy)\n" }
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            ProgressPrinter.line("sharp landscape: wrote \(csv)")
        }
    }
}
