import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `compare`: each run's last checkpoint, mean ± CI per group, paired t-test vs adam by seed.
struct CompareTests {
    /// adam seeds 1–3, sam seeds 1–4 (seed 4 unpaired), asam seed 1 only; each run has an early
    /// checkpoint with a misleading value that must not be used.
    static func fixture(_ backend: TestBackend) throws -> TestIndex {
        let t = try TestIndex(backend)
        var n = 0
        let runs: [(String, UInt64, Double)] = [
            ("adam", 1, 0.80), ("adam", 2, 0.82), ("adam", 3, 0.78),
            ("sam", 1, 0.84), ("sam", 2, 0.85), ("sam", 3, 0.80), ("sam", 4, 0.90), ("asam", 1, 0.70),
        ]
        for (optimizer, seed, accuracy) in runs {
            let run = "\(optimizer)-s\(seed)"
            for (epoch, value) in [(5, 0.5), (10, accuracy)] {
                n += 1
                let id = try t.checkpoint(n, optimizer: optimizer, seed: seed, run: run, epoch: epoch, step: epoch * 10)
                try t.metric(id, "accuracy", "test_acc", value)
                try t.metric(id, "hessian-trace", "trace", Double(seed))
            }
        }
        return t
    }

    @Test(arguments: TestBackend.available)
    func cellsSummariseEachRunsLastCheckpointAndPairByseed(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        let samples = try t.index.comparisonSamples(CompareQuery(rows: "optimizer", metrics: ["test_acc", "trace"]))
        #expect(samples.count == 16)
        let comparison = Comparison(
            samples: samples, metrics: ["test_acc", "trace"], baseline: "adam", rowOrder: ["adam", "sam", "asam"])
        #expect(comparison.rows == ["adam", "sam", "asam"])
        // Without an order: the baseline, then the rest sorted (Statistics knows no study).
        #expect(Comparison(samples: samples, metrics: ["test_acc"], baseline: "sam").rows == ["sam", "adam", "asam"])
        let adam = try #require(comparison.cell(row: "adam", col: nil, metric: "test_acc"))
        #expect(adam.summary?.count == 3 && abs(adam.summary!.mean - 0.8) < 1e-12)
        #expect(abs(adam.summary!.halfWidth95! - 4.30265273 * 0.02 / 3.0.squareRoot()) < 1e-8)
        #expect(adam.paired == nil)
        let sam = try #require(comparison.cell(row: "sam", col: nil, metric: "test_acc"))
        #expect(sam.summary?.count == 4)
        let paired = try #require(sam.paired)
        let statistic: Double = 3 * 3.0.squareRoot()
        let expectedP: Double = 1 - statistic / (2 + statistic * statistic).squareRoot()
        #expect(paired.pairs == 3 && abs(paired.meanDifference - 0.03) < 1e-12)
        #expect(abs(try #require(paired.p) - expectedP) < 1e-9)
        #expect(comparison.warnings.contains { $0.contains("seed(s) 4 only in sam") && $0.contains("test_acc") })
        let asam = try #require(comparison.cell(row: "asam", col: nil, metric: "test_acc"))
        #expect(asam.summary?.count == 1 && asam.summary?.halfWidth95 == nil && asam.paired?.p == nil)
    }

    @Test(arguments: TestBackend.available)
    func thePivotTableShowsMeanCIAndNAndTheLongTableIsExact(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        let samples = try t.index.comparisonSamples(CompareQuery(rows: "optimizer", cols: "model", metrics: ["test_acc"]))
        let comparison = Comparison(samples: samples, metrics: ["test_acc"], baseline: "adam", rowOrder: ["adam", "sam", "asam"])
        let pivot = comparison.pivotTable(rowKey: "optimizer")
        #expect(pivot.columns == ["optimizer", "vgg-mini test_acc", "vgg-mini Δtest_acc vs adam"])
        #expect(ResultTable.humanText(pivot.rows[0][1]) == "0.8000 ± 0.0497 (n=3)")
        #expect(pivot.rows[0][2] == .text("baseline"))
        #expect(ResultTable.humanText(pivot.rows[2][1]) == "0.7 (n=1)")
        let long = comparison.longTable(rowKey: "optimizer", colKey: "model")
        let csv = Delimited.parse(long.render(as: .csv).stdout, separator: ",", tsv: false)
        #expect(csv[0].prefix(6) == ["optimizer", "model", "metric", "n", "mean", "sd"])
        #expect(csv[1][0] == "adam" && Double(csv[1][4])?.bitPattern == comparison.cells[0].summary?.mean.bitPattern)
    }

    @Test(arguments: TestBackend.available)
    func filtersAndEveryCheckpointChangeWhatIsCompared(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        let early = try t.index.comparisonSamples(
            CompareQuery(rows: "optimizer", metrics: ["test_acc"], filters: [Filter(parsing: "epoch=5")]))
        #expect(early.allSatisfy { $0.value == 0.5 } && early.count == 8)
        let every = try t.index.comparisonSamples(CompareQuery(rows: "optimizer", metrics: ["test_acc"], everyCheckpoint: true))
        #expect(every.count == 16)
        let bySeed = try t.index.comparisonSamples(CompareQuery(rows: "seed", metrics: ["elapsed_seconds"]))
        #expect(Set(bySeed.map(\.row)) == ["1", "2", "3", "4"])
        #expect(throws: IndexError.self) { try t.index.comparisonSamples(CompareQuery(rows: "trace", metrics: ["test_acc"])) }
        #expect(throws: IndexError.self) { try t.index.comparisonSamples(CompareQuery(rows: "optimizer", metrics: ["model"])) }
    }
}
