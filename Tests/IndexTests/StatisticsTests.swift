import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// The t distribution is computed here, so it is checked against printed table values.
struct StatisticsTests {
    /// (p, df, t) from standard Student-t tables (quantiles to 9 significant digits).
    static let table: [(Double, Double, Double)] = [
        (0.975, 1, 12.7062047), (0.975, 2, 4.30265273), (0.975, 3, 3.18244631), (0.975, 4, 2.77644511),
        (0.975, 5, 2.57058184), (0.975, 10, 2.22813885), (0.975, 30, 2.04227246), (0.975, 100, 1.98397152),
        (0.995, 4, 4.60409487), (0.95, 4, 2.13184679), (0.995, 1, 63.6567412), (0.9, 7, 1.41492393),
    ]

    @Test(arguments: table) func quantilesMatchPrintedTables(p: Double, df: Double, t: Double) {
        let q = StudentT.quantile(p, degreesOfFreedom: df)
        #expect(abs(q - t) <= 5e-8 * t, "t(\(p), \(df)) = \(q), table \(t)")
        #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: df) + q) < 1e-12 * q)
        #expect(abs(StudentT.cdf(q, degreesOfFreedom: df) - p) < 1e-12)
    }

    @Test func theBriefsValueIsExact() {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 4) - 2.776445) < 1e-6)
    }

    @Test func twoSidedPValuesAgreeWithClosedForms() {
        #expect(abs(StudentT.twoSidedP(1, degreesOfFreedom: 1) - 0.5) < 1e-14)  // Cauchy
        #expect(abs(StudentT.twoSidedP(2.22813885, degreesOfFreedom: 10) - 0.05) < 1e-8)
        let t = 3.0
        #expect(abs(StudentT.twoSidedP(t, degreesOfFreedom: 2) - (1 - t / (2 + t * t).squareRoot())) < 1e-14)
        #expect(StudentT.twoSidedP(0, degreesOfFreedom: 5) == 1)
    }

    @Test func aThreeValueSampleGivesTheHandComputedInterval() throws {
        let s = try #require(SampleSummary([1, 2, 3]))
        #expect(s.mean == 2 && s.standardDeviation == 1)
        #expect(abs(try #require(s.halfWidth95) - 4.30265273 / 3.0.squareRoot()) < 1e-8)
        #expect(NumberText.withInterval(s.mean, s.halfWidth95) == "2.00 ± 2.48")
        let one = try #require(SampleSummary([0.84]))
        #expect(one.halfWidth95 == nil && one.standardDeviation == nil)
        #expect(NumberText.withInterval(one.mean, one.halfWidth95) == "0.84")
    }

    @Test func thePairedTestMatchesAHandComputation() throws {
        // Differences 0.04, 0.03, 0.02: mean 0.03, sd 0.01, t = 0.03 / (0.01/√3) = 3√3;
        // for 2 df, P(|T| ≥ t) = 1 − t/√(2 + t²).
        let test = try #require(PairedTest(differences: [0.84 - 0.80, 0.85 - 0.82, 0.80 - 0.78]))
        let t = 3 * 3.0.squareRoot()
        #expect(test.pairs == 3 && test.degreesOfFreedom == 2)
        #expect(abs(test.meanDifference - 0.03) < 1e-12)
        #expect(abs(try #require(test.t) - t) < 1e-9)
        #expect(abs(try #require(test.p) - (1 - t / (2 + t * t).squareRoot())) < 1e-9)
        let same = try #require(PairedTest(differences: [0.1, 0.1]))
        #expect(same.p == 0 && same.t == .infinity)
        #expect(try #require(PairedTest(differences: [0.2])).p == nil)
    }
}

/// `compare`'s notes about seeds that several samples share: under the side they belong to, in seed
/// order, once, and saying whether they are runs or checkpoints of one run (`--every-checkpoint`).
struct ComparisonNoteTests {
    @Test func sharedSeedNotesNameTheirSideComeInSeedOrderAndOnce() {
        var samples: [ComparisonSample] = []
        for (seed, epochs) in [(UInt64(1), 2), (0, 3)] {
            for epoch in 0..<epochs {
                samples.append(ComparisonSample(row: "adam", col: nil, metric: "trace", runID: "adam-s\(seed)", seed: seed, checkpoint: "a\(seed)\(epoch)", value: Double(epoch)))
            }
        }
        for row in ["sam", "asam"] {
            for seed in [UInt64(0), 1] {
                samples.append(ComparisonSample(row: row, col: nil, metric: "trace", runID: "\(row)-s\(seed)", seed: seed, checkpoint: "\(row)\(seed)", value: 1))
                samples.append(ComparisonSample(row: row, col: nil, metric: "trace", runID: "\(row)-s\(seed)-b", seed: seed, checkpoint: "\(row)\(seed)b", value: 2))
            }
        }
        for _ in 0..<5 {  // dictionary order must not leak into the notes
            let notes = Comparison(samples: samples.shuffled(), metrics: ["trace"], baseline: "adam", rowOrder: ["adam", "sam", "asam"]).warnings
            #expect(notes == [
                "sam, trace: 2 runs share seed 0; the paired test uses their mean",
                "sam, trace: 2 runs share seed 1; the paired test uses their mean",
                "adam, trace: 3 values from 1 run(s) share seed 0; the paired test uses their mean",
                "adam, trace: 2 values from 1 run(s) share seed 1; the paired test uses their mean",
                "asam, trace: 2 runs share seed 0; the paired test uses their mean",
                "asam, trace: 2 runs share seed 1; the paired test uses their mean",
            ], "\(notes)")
        }
    }
}
