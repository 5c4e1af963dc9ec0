/// `compare`'s table: for every (row, column, metric) the mean ± 95% CI over runs, and a paired
/// t-test against the baseline row over seeds both have. Pure arithmetic over samples, so it is
/// tested without a database.
public struct Comparison: Equatable, Sendable {
    /// One (row, column, metric) cell.
    public struct Cell: Equatable, Sendable {
        /// Row key value.
        public var row: String
        /// Column key value.
        public var col: String?
        /// Metric name.
        public var metric: String
        /// Summary of the finite values; nil when there are none.
        public var summary: SampleSummary?
        /// Runs without a value (missing or NaN), excluded from the summary.
        public var excluded: Int
        /// Test against the baseline row (nil for the baseline itself or with no pairs).
        public var paired: PairedTest?
    }

    /// Row key values, baseline first, then in the caller's `rowOrder`, then sorted.
    public var rows: [String]
    /// Column key values (one nil without `--cols`).
    public var cols: [String?]
    /// Metric names, as requested.
    public var metrics: [String]
    /// Every cell that has runs.
    public var cells: [Cell]
    /// The baseline row used for paired tests, if present.
    public var baseline: String?
    /// Unpaired seeds, duplicate seeds, excluded values: for stderr.
    public var warnings: [String]

    /// Aggregates samples; `baseline` names the row the others are paired against, and
    /// `rowOrder` lists row values in the order they are shown (others follow, sorted).
    public init(samples: [ComparisonSample], metrics: [String], baseline: String?, rowOrder: [String] = []) {
        self.metrics = metrics
        let rowValues = Set(samples.map(\.row))
        self.baseline = baseline.flatMap { rowValues.contains($0) ? $0 : nil }
        rows = rowValues.sorted { a, b in
            let ka = Self.sortKey(a, baseline: baseline, order: rowOrder)
            let kb = Self.sortKey(b, baseline: baseline, order: rowOrder)
            return ka.0 != kb.0 ? ka.0 < kb.0 : ka.1 < kb.1
        }
        cols = Array(Set(samples.map(\.col))).sorted { ($0 ?? "") < ($1 ?? "") }
        var cells: [Cell] = []
        var warnings: [String] = []
        let grouped = Dictionary(grouping: samples) { GroupKey(row: $0.row, col: $0.col, metric: $0.metric) }
        for col in cols {
            for metric in metrics {
                let baselineRuns = self.baseline.flatMap { grouped[GroupKey(row: $0, col: col, metric: metric)] }
                for row in rows {
                    guard let runs = grouped[GroupKey(row: row, col: col, metric: metric)] else { continue }
                    let place = "\(row)\(col.map { ", \($0)" } ?? ""), \(metric)"
                    let finite = runs.compactMap(\.value).filter(\.isFinite)
                    let excluded = runs.count - finite.count
                    if excluded > 0 { warnings.append("\(place): \(excluded) run(s) without a finite value, excluded") }
                    var paired: PairedTest?
                    if let baselineRuns, let baseline = self.baseline, row != baseline {
                        let baselinePlace = "\(baseline)\(col.map { ", \($0)" } ?? ""), \(metric)"
                        paired = Self.pair(
                            runs, baselineRuns, label: place, baselineLabel: baselinePlace, baseline: baseline, warnings: &warnings)
                    }
                    cells.append(Cell(row: row, col: col, metric: metric, summary: SampleSummary(finite), excluded: excluded, paired: paired))
                }
            }
        }
        self.cells = cells
        // The baseline's notes come once, however many rows are paired against it.
        var seen = Set<String>()
        self.warnings = warnings.filter { seen.insert($0).inserted }
    }

    /// The cell for (row, col, metric).
    public func cell(row: String, col: String?, metric: String) -> Cell? {
        cells.first { $0.row == row && $0.col == col && $0.metric == metric }
    }

    private struct GroupKey: Hashable {
        var row: String
        var col: String?
        var metric: String
    }

    private static func sortKey(_ value: String, baseline: String?, order: [String]) -> (Int, String) {
        if value == baseline { return (-1, "") }
        if let i = order.firstIndex(of: value) { return (i, "") }
        return (order.count, value)
    }

    /// Per-seed means on each side (duplicates warned about, under each side's own label, in seed
    /// order), differences over shared seeds.
    private static func pair(
        _ runs: [ComparisonSample], _ baseRuns: [ComparisonSample], label: String, baselineLabel: String, baseline: String,
        warnings: inout [String]
    ) -> PairedTest? {
        func bySeed(_ samples: [ComparisonSample], _ label: String) -> [UInt64: Double] {
            var values: [UInt64: [ComparisonSample]] = [:]
            for s in samples {
                guard s.seed != nil, let v = s.value, v.isFinite else { continue }
                values[s.seed!, default: []].append(s)
            }
            for (seed, list) in values.sorted(by: { $0.key < $1.key }) where list.count > 1 {
                let runCount = Set(list.map(\.runID)).count
                let what = runCount == list.count ? "\(list.count) runs" : "\(list.count) values from \(runCount) run(s)"
                warnings.append("\(label): \(what) share seed \(seed); the paired test uses their mean")
            }
            return values.mapValues { list in list.reduce(0) { $0 + ($1.value ?? 0) } / Double(list.count) }
        }
        let mine = bySeed(runs, label), theirs = bySeed(baseRuns, baselineLabel)
        let onlyMine = Set(mine.keys).subtracting(theirs.keys).sorted()
        let onlyTheirs = Set(theirs.keys).subtracting(mine.keys).sorted()
        if !onlyMine.isEmpty || !onlyTheirs.isEmpty {
            var parts: [String] = []
            if !onlyMine.isEmpty { parts.append("seed(s) \(onlyMine.map(String.init).joined(separator: ",")) only in \(runs.first?.row ?? "")") }
            if !onlyTheirs.isEmpty { parts.append("seed(s) \(onlyTheirs.map(String.init).joined(separator: ",")) only in \(baseline)") }
            warnings.append("\(label): \(parts.joined(separator: "; ")); excluded from the paired test vs \(baseline)")
        }
        let shared = Set(mine.keys).intersection(theirs.keys).sorted()
        return PairedTest(differences: shared.map { mine[$0]! - theirs[$0]! })
    }
}

/// One run's value of one metric, with its group keys.
public struct ComparisonSample: Equatable, Sendable {
    /// Row key value (`sam`).
    public var row: String
    /// Column key value (`vgg-mini`), nil without `--cols`.
    public var col: String?
    /// Metric display name.
    public var metric: String
    /// Run id.
    public var runID: String
    /// The run's seed (the pairing key).
    public var seed: UInt64?
    /// The checkpoint used.
    public var checkpoint: String
    /// The value: nil when the run has none, NaN when its plugin reported NaN.
    public var value: Double?

    /// Makes a sample.
    public init(row: String, col: String?, metric: String, runID: String, seed: UInt64?, checkpoint: String, value: Double?) {
        self.row = row
        self.col = col
        self.metric = metric
        self.runID = runID
        self.seed = seed
        self.checkpoint = checkpoint
        self.value = value
    }
}
