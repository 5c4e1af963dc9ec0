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

    /// Row key values, baseline first, then in `preferredOrder`, then sorted.
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

    /// The study's optimizer order (docs/study.md §5), used when rows are optimizers.
    public static let preferredOrder = ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"]

    /// Aggregates samples; `baseline` names the row the others are paired against.
    public init(samples: [ComparisonSample], metrics: [String], baseline: String?) {
        self.metrics = metrics
        let rowValues = Set(samples.map(\.row))
        self.baseline = baseline.flatMap { rowValues.contains($0) ? $0 : nil }
        rows = rowValues.sorted { a, b in
            let ka = Self.sortKey(a, baseline: baseline), kb = Self.sortKey(b, baseline: baseline)
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
                    let finite = runs.compactMap { $0.value.double }.filter(\.isFinite)
                    let excluded = runs.count - finite.count
                    if excluded > 0 { warnings.append("\(place): \(excluded) run(s) without a finite value, excluded") }
                    var paired: PairedTest?
                    if let baselineRuns, row != self.baseline {
                        paired = Self.pair(runs, baselineRuns, label: place, baseline: self.baseline ?? "", warnings: &warnings)
                    }
                    cells.append(Cell(row: row, col: col, metric: metric, summary: SampleSummary(finite), excluded: excluded, paired: paired))
                }
            }
        }
        self.cells = cells
        self.warnings = warnings
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

    private static func sortKey(_ value: String, baseline: String?) -> (Int, String) {
        if value == baseline { return (-1, "") }
        if let i = preferredOrder.firstIndex(of: value) { return (i, "") }
        return (preferredOrder.count, value)
    }

    /// Per-seed means on each side (duplicates warned about), differences over shared seeds.
    private static func pair(
        _ runs: [ComparisonSample], _ baseRuns: [ComparisonSample], label: String, baseline: String,
        warnings: inout [String]
    ) -> PairedTest? {
        func bySeed(_ samples: [ComparisonSample], _ name: String) -> [UInt64: Double] {
            var values: [UInt64: [Double]] = [:]
            for s in samples {
                guard let seed = s.seed, let v = s.value.double, v.isFinite else { continue }
                values[seed, default: []].append(v)
            }
            for (seed, list) in values where list.count > 1 {
                warnings.append("\(label): \(list.count) \(name) runs share seed \(seed); the paired test uses their mean")
            }
            return values.mapValues { $0.reduce(0, +) / Double($0.count) }
        }
        let mine = bySeed(runs, runs.first?.row ?? ""), theirs = bySeed(baseRuns, baseline)
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
