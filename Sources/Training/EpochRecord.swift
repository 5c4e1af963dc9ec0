/// One row of a run's history (`history.csv` in every checkpoint).
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var seconds: Double
    /// Forward+backward passes the optimizer made (2 per step for SAM, 3 for CR-SAM, ...).
    public var passes: Int
    public var steps: Int

    static let csvHeader = "epoch,train_loss,train_accuracy,seconds,passes,steps"

    var csvLine: String {
        "\(epoch),\(trainLoss),\(trainAccuracy),\(seconds),\(passes),\(steps)"
    }

    /// Parses `history.csv` (header + rows); rows that do not parse are an error naming the line.
    static func parse(_ csv: String) throws -> [EpochRecord] {
        let lines = csv.split(separator: "\n").map(String.init)
        guard lines.first == csvHeader else {
            throw TrainingError.checkpoint("history.csv: unexpected header '\(lines.first ?? "")'")
        }
        return try lines.dropFirst().enumerated().map { i, line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 6, let e = Int(f[0]), let l = Double(f[1]), let a = Double(f[2]), let s = Double(f[3]),
                let p = Int(f[4]), let n = Int(f[5])
            else { throw TrainingError.checkpoint("history.csv line \(i + 2): cannot parse '\(line)'") }
            return EpochRecord(epoch: e, trainLoss: l, trainAccuracy: a, seconds: s, passes: p, steps: n)
        }
    }

    static func csv(_ records: [EpochRecord]) -> String {
        ([csvHeader] + records.map(\.csvLine)).joined(separator: "\n") + "\n"
    }
}

/// Progress events a user interface shows (a TTY bar or plain log lines).
public protocol TrainingProgress: AnyObject {
    func batchFinished(epoch: Int, batch: Int, of batches: Int, loss: Double, accuracy: Double, elapsed: Double)
    func epochFinished(_ record: EpochRecord, maxEpochs: Int)
    func checkpointWritten(path: String)
}
