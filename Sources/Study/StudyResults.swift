import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import IndexRecords
import Training

/// What a study's report shows, read from the index (`Index.IndexStore`: the same samples and
/// statistics as `sharpq compare`) plus the training histories of the final checkpoints.
public struct StudyResults {
    /// One metric column of the tables: the index name (`test_acc`, `elapsed_seconds`, ...), a
    /// heading, and a display scale (100 for accuracies shown in %).
    public struct Column: Sendable, Equatable {
        /// Name as the index resolves it.
        public var key: String
        /// Table heading.
        public var heading: String
        /// Values are multiplied by this for display.
        public var scale: Double

        init(_ key: String, _ heading: String, scale: Double = 1) {
            self.key = key
            self.heading = heading
            self.scale = scale
        }
    }

    /// One epoch of a training history.
    public struct EpochRow: Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Double
        public var trainAccuracy: Double
        public var seconds: Double
    }

    /// How one run trained and on what, from its final checkpoint's manifest.
    public struct RunInfo: Sendable, Equatable {
        public var epochs: Int
        /// `reached-train-accuracy`, `max-epochs`, ...
        public var stopReason: String
        public var trainAccuracy: Double
        public var seconds: Double
        /// Sharp's version and commit, the CPU and the BLAS kernel (nil in checkpoints of Sharp < 0.2).
        public var version: String, commit: String?, cpu: String?, blas: String?

        public init(epochs: Int, stopReason: String, trainAccuracy: Double, seconds: Double, version: String,
                    commit: String? = nil, cpu: String? = nil, blas: String? = nil) {
            self.epochs = epochs
            self.stopReason = stopReason
            self.trainAccuracy = trainAccuracy
            self.seconds = seconds
            self.version = version
            self.commit = commit
            self.cpu = cpu
            self.blas = blas
        }

        /// Stopped at the epoch cap before the accuracy rule was met.
        public var hitCap: Bool { stopReason == Trainer.StopReason.maxEpochs.rawValue }

        /// What float32 results depend on: commit, CPU and BLAS kernel (`unrecorded` before 0.2).
        public var build: String {
            guard let commit else { return "unrecorded (Sharp \(version))" }
            return "\(commit), \(cpu ?? "?"), \(blas ?? "?")"
        }
    }

    /// One run's eigenvalue density (series `density` of `hessian-spectrum`).
    public struct Density: Sendable, Equatable {
        public var cell: StudyCell
        public var x: [Double], y: [Double]
    }

    /// The plan the results belong to.
    public let plan: StudyPlan
    /// `compare --rows optimizer --cols model` over the study's final checkpoints.
    public let comparison: Comparison
    /// The per-run values behind it.
    public let samples: [ComparisonSample]
    /// Densities of the baseline and SAM runs (or of every optimizer when SAM is not in the plan).
    public let densities: [Density]
    /// Training histories by run id.
    public let histories: [String: [EpochRow]]
    /// Cells with no checkpoint in the index.
    public let missingCells: [StudyCell]
    /// How each run trained and on what, by run id (from the final checkpoints' manifests).
    public var runs: [String: RunInfo] = [:]

    /// The runs of (optimizer, model) that stopped at the epoch cap.
    public func cappedRuns(_ optimizer: String, _ model: String) -> [StudyCell] {
        plan.cells.filter { $0.optimizer == optimizer && $0.model == model && runs[$0.runID]?.hitCap == true }
    }

    /// The columns of Tables 2–5: the paper's, plus epochs (the stopping rule decides them).
    public static let tableColumns: [Column] = [
        Column("test_acc", "test acc (%)", scale: 100), Column("elapsed_seconds", "training time (s)"), Column("epoch", "epochs"),
        Column("lambda_max", "top eigenvalue"), Column("per_batch_median", "median"), Column("per_batch_mean", "mean"),
        Column("per_batch_sd", "SD"), Column("trace", "trace"),
    ]
    /// Columns of the supplementary table: the fit (train accuracy and loss), the generalization
    /// gap, and the SLQ density's statistics. The train loss is there because curvature shrinks as
    /// the cross-entropy saturates, whatever the optimizer: flatness is only comparable at similar loss.
    public static let supplementaryColumns: [Column] = [
        Column("train_acc", "train acc (%)", scale: 100), Column("train_loss", "train loss"),
        Column("gap", "test − train loss"), Column("median", "ESD median"),
        Column("mean", "ESD mean"), Column("sd", "ESD SD"), Column("lambda_min", "λ_min"),
    ]

    /// Every value column, in the order of results.csv.
    public static var allColumns: [Column] { tableColumns + supplementaryColumns }

    /// Reads the results of `plan` from `index`. `checkpoints` limits them to these content
    /// hashes (the study's final checkpoints; nil: every checkpoint of the study's run ids);
    /// `histories` are the runs' `history.csv` texts by run id.
    public static func load(index: IndexStore, plan: StudyPlan, checkpoints: [String]? = nil, histories: [String: String] = [:])
        throws -> StudyResults
    {
        let cells = plan.cells
        var filters = [Filter(key: "run_id", op: .oneOf, values: cells.map(\.runID))]
        if let checkpoints {
            filters.append(Filter(key: "checkpoint", op: .oneOf, values: checkpoints.isEmpty ? ["-"] : checkpoints))
        }
        let query = CompareQuery(rows: "optimizer", cols: "model", metrics: allColumns.map(\.key), filters: filters)
        let samples = try index.comparisonSamples(query)
        let comparison = Comparison(
            samples: samples, metrics: allColumns.map(\.key), baseline: plan.baseline, rowOrder: plan.optimizers)
        let present = Set(samples.map(\.runID))
        let missing = cells.filter { !present.contains($0.runID) }

        let shown = plan.optimizers.contains("sam") ? Set([plan.baseline, "sam"]) : Set(plan.optimizers)
        var densities: [Density] = []
        var checkpointOfRun: [String: String] = [:]
        for s in samples { checkpointOfRun[s.runID] = s.checkpoint }
        for cell in cells where shown.contains(cell.optimizer) {
            guard let sha = checkpointOfRun[cell.runID] else { continue }
            let table = try index.readOnlyQuery(
                """
                SELECT s.data FROM series AS s JOIN checkpoints AS c ON c.id = s.checkpoint_id
                WHERE c.sha256 = substr(:sha, 2) AND s.plugin = 'hessian-spectrum' AND s.name = 'density'
                ORDER BY s.recorded_at DESC LIMIT 1
                """, parameters: ["sha": "h" + sha])  // the prefix keeps an all-digit hash text
            if let text = table.rows.first?.first?.textValue, let (x, y) = SeriesJSON.decode(text) {
                densities.append(Density(cell: cell, x: x, y: y))
            }
        }
        var parsed: [String: [EpochRow]] = [:]
        for (run, text) in histories { parsed[run] = parseHistory(text) }
        return StudyResults(plan: plan, comparison: comparison, samples: samples, densities: densities, histories: parsed,
                            missingCells: missing)
    }

    /// `history.csv` rows (epoch, train_loss, train_accuracy, seconds, ...); bad lines are skipped.
    static func parseHistory(_ text: String) -> [EpochRow] {
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init),
            let e = header.firstIndex(of: "epoch"), let l = header.firstIndex(of: "train_loss"),
            let a = header.firstIndex(of: "train_accuracy"), let s = header.firstIndex(of: "seconds")
        else { return [] }
        return lines.dropFirst().compactMap { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == header.count, let epoch = Int(f[e]), let loss = Double(f[l]), let accuracy = Double(f[a]),
                let seconds = Double(f[s])
            else { return nil }
            return EpochRow(epoch: epoch, trainLoss: loss, trainAccuracy: accuracy, seconds: seconds)
        }
    }

    /// The summary of (optimizer, model, metric), if any run has a value.
    public func summary(_ optimizer: String, _ model: String, _ key: String) -> SampleSummary? {
        comparison.cell(row: optimizer, col: model, metric: key)?.summary
    }

    /// The paired test of (optimizer vs baseline, model, metric).
    public func paired(_ optimizer: String, _ model: String, _ key: String) -> PairedTest? {
        comparison.cell(row: optimizer, col: model, metric: key)?.paired
    }

    /// A run's value of a metric.
    public func value(runID: String, _ key: String) -> Double? {
        samples.first { $0.runID == runID && $0.metric == key }?.value ?? nil
    }
}
