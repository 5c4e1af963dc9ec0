import Checkpoint
import Foundation
import Hashing
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// Where a study stands (`sharp study --status`): each cell finished, started or not started,
/// its epochs and training time, how far its scoring is, and an estimate of the training time
/// left. Reads the study folder and the index; trains and scores nothing.
public struct StudyStatus {
    /// One cell's state.
    public enum State: Equatable, Sendable {
        /// Its final checkpoint is in place.
        case finished(epochs: Int, seconds: Double, stopReason: String)
        /// Intermediate checkpoints exist, the last at `epoch`: training now, or interrupted (the
        /// next `sharp study` resumes it from there).
        case started(epoch: Int, seconds: Double)
        /// Nothing yet.
        case notStarted
    }

    /// Scoring of a finished cell's checkpoint, from the index.
    public struct Scoring: Equatable, Sendable {
        public var done = 0, pending = 0, failed = 0
    }

    /// One cell.
    public struct Row: Sendable {
        public let cell: StudyCell
        public let state: State
        /// Nil when the checkpoint is not in the index (yet).
        public let scoring: Scoring?
        /// Training seconds still to go (nil: no finished cell to estimate from).
        public let remaining: Double?
    }

    public let rows: [Row]

    /// Reads the state of every cell of `plan` in `layout`; `index` (nil: no index yet) gives scoring.
    public static func gather(plan: StudyPlan, layout: StudyLayout, index: IndexStore?) throws -> StudyStatus {
        var states: [(StudyCell, State, String?)] = []
        for cell in plan.cells {
            if let final = layout.finalCheckpoint(of: cell) {
                // One read gives both the manifest and the content hash the index knows it by.
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: final)))
                let m = try Checkpoint.read(bytes: bytes, source: final).manifest
                var hasher = SHA256()
                hasher.update(bytes)
                states.append((cell, .finished(epochs: m.training.epoch, seconds: m.training.elapsedSeconds, stopReason: m.training.stopReason),
                               SHA256.hexString(hasher.finalize())))
            } else if let last = layout.partialCheckpoints(of: cell).last {
                let m = try Checkpoint.read(from: last.path).manifest
                states.append((cell, .started(epoch: m.training.epoch, seconds: m.training.elapsedSeconds), nil))
            } else {
                states.append((cell, .notStarted, nil))
            }
        }
        // Estimate: the median training time of finished cells with the same model and optimizer.
        var finishedSeconds: [String: [Double]] = [:]
        for (cell, state, _) in states {
            if case .finished(_, let seconds, _) = state { finishedSeconds[Self.kind(cell), default: []].append(seconds) }
        }
        let typicalSeconds = finishedSeconds.mapValues(Self.median)
        let rows = try states.map { cell, state, hash -> Row in
            let typical = typicalSeconds[Self.kind(cell)]
            let remaining: Double?
            switch state {
            case .finished: remaining = 0
            case .started(_, let seconds): remaining = typical.map { max($0 - seconds, 0) }
            case .notStarted: remaining = typical
            }
            var scoring: Scoring?
            if let hash, let index { scoring = try Self.scoring(of: hash, in: index) }
            return Row(cell: cell, state: state, scoring: scoring, remaining: remaining)
        }
        return StudyStatus(rows: rows, typicalSeconds: typicalSeconds)
    }

    /// Median training seconds of finished cells by `model/optimizer`.
    let typicalSeconds: [String: Double]

    /// Gradient passes per step of the built-in SAM family relative to SAM's two: a rough guide
    /// for projecting an optimizer no cell of a model has finished with yet.
    static let passesRelativeToSAM: [String: Double] = ["asam": 1, "gsam": 1, "wsam": 1, "crsam": 1.5]

    /// Training seconds still to go for open cells with no finished cell of their own kind, if
    /// a SAM-family optimizer took as long as SAM on the same model (scaled by passes per step);
    /// nil for cells this cannot guess.
    func projection(for row: Row) -> Double? {
        guard row.remaining == nil, let factor = Self.passesRelativeToSAM[row.cell.optimizer],
            let sam = typicalSeconds[row.cell.model + "/sam"]
        else { return nil }
        if case .started(_, let seconds) = row.state { return max(sam * factor - seconds, 0) }
        return sam * factor
    }

    static func kind(_ cell: StudyCell) -> String { cell.model + "/" + cell.optimizer }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func scoring(of hash: String, in index: IndexStore) throws -> Scoring? {
        let table = try index.readOnlyQuery(
            """
            SELECT
              (SELECT count(*) FROM jobs AS j WHERE j.checkpoint_id = c.id AND j.state = 'done'),
              (SELECT count(*) FROM jobs AS j WHERE j.checkpoint_id = c.id AND j.state IN ('queued', 'running')),
              (SELECT count(*) FROM jobs AS j WHERE j.checkpoint_id = c.id AND j.state = 'failed')
            FROM checkpoints AS c WHERE c.sha256 = substr(:sha, 2)
            """, parameters: ["sha": "h" + hash])  // the prefix keeps an all-digit value text
        guard let row = table.rows.first else { return nil }
        return Scoring(done: Int(row[0].integerValue ?? 0), pending: Int(row[1].integerValue ?? 0), failed: Int(row[2].integerValue ?? 0))
    }

    // MARK: Text

    /// One line per cell, then a summary.
    public func text() -> String {
        func line(_ cells: [String]) -> String {
            zip(cells, [-28, -12, 7, 11, 0]).map { text, width in
                let pad = String(repeating: " ", count: max(abs(width) - text.count, 0))
                return width < 0 ? text + pad : pad + text
            }.joined(separator: "  ")
        }
        var lines = [line(["cell", "state", "epochs", "train time", "scoring"])]
        for row in rows {
            let name = "\(row.cell.model) \(row.cell.optimizer) s\(row.cell.seed)"
            let (state, epochs, time): (String, String, String)
            switch row.state {
            case .finished(let e, let s, let reason):
                (state, epochs, time) = (reason == "max-epochs" ? "epoch cap" : "finished", String(e), Self.duration(s))
            case .started(let e, let s):
                (state, epochs, time) = ("started", "\(e)+", Self.duration(s))
            case .notStarted:
                (state, epochs, time) = ("not started", "–", row.remaining.map { "~" + Self.duration($0) } ?? "–")
            }
            let scoring = row.scoring.map { s in
                "\(s.done) done" + (s.pending > 0 ? ", \(s.pending) to do" : "") + (s.failed > 0 ? ", \(s.failed) failed" : "")
            } ?? (row.state.isFinished ? "not indexed" : "–")
            lines.append(line([name, state, epochs, time, scoring]))
        }
        return (lines + [""] + summary()).joined(separator: "\n")
    }

    /// Counts, training time so far and the estimate of what is left.
    public func summary() -> [String] {
        let finished = rows.filter(\.state.isFinished).count
        let started = rows.filter { if case .started = $0.state { return true } else { return false } }.count
        let spent = rows.reduce(0.0) { total, row in
            switch row.state {
            case .finished(_, let s, _), .started(_, let s): return total + s
            case .notStarted: return total
            }
        }
        let open = rows.filter { !$0.state.isFinished }
        let estimated = open.compactMap(\.remaining)
        var lines = ["\(finished) of \(rows.count) cells finished, \(started) started, \(rows.count - finished - started) not started; "
            + "\(Self.duration(spent)) of training so far."]
        if !open.isEmpty {
            lines.append("Training left: about \(Self.duration(estimated.reduce(0, +))) for the \(estimated.count) open cell(s) with a "
                + "finished cell of the same model and optimizer (their median)"
                + (estimated.count < open.count ? "; \(open.count - estimated.count) cell(s) have none yet and are not counted." : "."))
            let guessed = open.filter { $0.remaining == nil }.compactMap(projection)
            if !guessed.isEmpty {
                lines.append("Rough projection for \(guessed.count) of those: about \(Self.duration(guessed.reduce(0, +))) more, if each "
                    + "SAM-family optimizer trains as long as SAM on the same model (CR-SAM 1.5×: three passes per step); "
                    + "total left about \(Self.duration(estimated.reduce(0, +) + guessed.reduce(0, +))), scoring not included.")
            }
        }
        let scored = rows.compactMap(\.scoring)
        if !scored.isEmpty {
            var s = Scoring()
            for cell in scored {
                s.done += cell.done
                s.pending += cell.pending
                s.failed += cell.failed
            }
            lines.append("Scoring: \(s.done) job(s) done, \(s.pending) to do, \(s.failed) failed, over \(scored.count) indexed checkpoint(s).")
        }
        return lines
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.0f s", seconds) }
        if seconds < 7200 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}

extension StudyStatus.State {
    var isFinished: Bool { if case .finished = self { return true } else { return false } }
}
