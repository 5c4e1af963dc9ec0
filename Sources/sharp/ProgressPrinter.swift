import Foundation
import Training

/// Training progress: a redrawn bar on a terminal, plain log lines otherwise (CI, pipes, journald).
final class ProgressPrinter: TrainingProgress {
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = 0.0

    func batchFinished(epoch: Int, batch: Int, of batches: Int, loss: Double, accuracy: Double, elapsed: Double) {
        guard isTerminal, elapsed - lastDraw > 0.1 || batch == batches else { return }
        lastDraw = elapsed
        let width = 24
        let filled = width * batch / max(batches, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = batch > 0 ? elapsed / Double(batch) * Double(batches - batch) : 0
        let line = String(format: "\repoch %3d %@ %4d/%d  loss %.4f  acc %5.1f%%  %.0fs", epoch, bar, batch, batches, loss, 100 * accuracy, elapsed)
        FileHandle.standardOutput.write(Data((line + (batch == batches ? "" : String(format: "  eta %.0fs   ", eta))).utf8))
    }

    func epochFinished(_ r: EpochRecord, maxEpochs: Int) {
        if isTerminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
        Self.line(String(format: "epoch %3d/%d  loss %.4f  train accuracy %5.1f%%  %.1fs  %d passes", r.epoch, maxEpochs, r.trainLoss,
            100 * r.trainAccuracy, r.seconds, r.passes))
    }

    func checkpointWritten(path: String) { Self.line("checkpoint \(path)") }

    /// Writes a whole line at once, unbuffered: log files and journald see each epoch as it ends
    /// (`print` buffers when stdout is not a terminal).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func finish() {}
}
