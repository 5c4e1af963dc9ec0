import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics
import Testing

@testable import Study

/// The report from a synthetic index (StudyFixtures): every number below was worked out by hand
/// (t(0.975, 1) = 12.7062047; with one degree of freedom the two-sided p of t is 1 − 2·atan|t|/π).
struct ReportTests {
    func results() throws -> (StudyResults, String) {
        let store = try StudyFixtures.temporaryDirectory()
        let index = try StudyFixtures.fillIndex(store: store, plan: StudyFixtures.plan)
        let history = "epoch,train_loss,train_accuracy,seconds,passes,steps\n1,0.7,0.6,1.5,24,24\n2,0.5,0.8,1.4,24,24\n"
        let results = try StudyResults.load(index: index, plan: StudyFixtures.plan,
                                            histories: ["study-t-vgg-mini-adam-s0": history, "study-t-vgg-mini-sam-s0": history])
        return (results, store)
    }

    @Test func tablesShowMeansIntervalsAndPairedTests() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let md = StudyReport(results: results).markdown()
        // Table 1: adam on vgg-mini, acc 0.80/0.84 → 82 ± 12.706·0.02·100; time 10/14 s; λ 30/34; trace 80/84.
        #expect(md.contains("| vgg-mini | 82 ± 25.41 | 12 ± 25.41 | 8 ± 0 | 32 ± 25.41 |"), "\(md)")
        #expect(md.contains("## Table 2. vgg-mini") && md.contains("## Table 3. resnet-mini"))
        // sam on vgg-mini: 0.86/0.88 → 87 ± 12.71; λ 1/2 → 1.5 ± 6.353.
        #expect(md.contains("| sam | 87 ± 12.71 | 21 ± 12.71 | 8 ± 0 | 1.5 ± 6.353 |"), "\(md)")
        // Paired: Δacc = +0.06, +0.04 → +5 ± 12.71 pp, t = 5, p = 1 − 2·atan(5)/π = 0.1257.
        #expect(md.contains("| sam | +5 ± 12.71, p=0.126 (2 pairs) |"), "\(md)")
        // Δλ = −29, −32 → −30.5 ± 19.06, t = −20.33, p = 0.0313.
        #expect(md.contains("-30.5 ± 19.06, p=0.031 (2 pairs)"), "\(md)")
        // resnet-mini/sam has one seed: no interval, one pair, no p.
        #expect(md.contains("| sam | 72 (n=1) |"), "\(md)")
        #expect(md.contains("| sam | +2 (1 pair) |"), "\(md)")
        #expect(md.contains("cells without results: study-t-resnet-mini-sam-s1"))
        // The run outside the study (test_acc 0.1) is not counted.
        #expect(results.summary("adam", "vgg-mini", "test_acc")?.count == 2)
        // At a glance: sam ÷ adam over the shared seeds, λ (1+2)/(30+34) and trace (5+6)/(80+84) on
        // vgg-mini; resnet-mini's one pair gives 400/1000 and 800/2000 and no test.
        #expect(md.contains("| vgg-mini | sam | 2 | +5 ± 12.71 | no significant difference (p = 0.126) | ×0.04688 | ×0.06707 |"), "\(md)")
        #expect(md.contains("| resnet-mini | sam | 1 | +2 | one seed: no test yet | ×0.4 | ×0.4 |"), "\(md)")
        #expect(md.contains("Flatter by the top eigenvalue in 2 of 2 comparisons; significantly higher test accuracy in 0, lower in 0, of 2."))
        // Table S1: train loss 0.080/0.084 → 0.082 ± 12.706·0.002; metrics nobody recorded (the
        // gap) show as missing, not as zero.
        #expect(md.contains("| vgg-mini | adam | 100 ± 0 | 0.082 ± 0.02541 | – |"), "\(md)")
        // Every heading starts a paragraph of its own (Markdown needs the blank line before it).
        #expect(md.components(separatedBy: "\n## ").count == md.components(separatedBy: "\n\n## ").count, "\(md)")
    }

    @Test func pValuesAndIntervalsMatchScipy() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        // scipy.stats.ttest_rel([0.86, 0.88], [0.80, 0.84]) → t = 5.000000000000, p = 0.125665916
        let t = try #require(results.paired("sam", "vgg-mini", "test_acc"))
        #expect(abs(try #require(t.t) - 5) < 1e-9)
        #expect(abs(try #require(t.p) - 0.12566591637800) < 1e-9)
        #expect(t.degreesOfFreedom == 1 && t.pairs == 2)
        // Over four pairs the test has 3 df: differences 0.5, 1.5, 1.0, 2.0 give t = 3.872983346207417 and
        // p = 0.030466291662170977 (scipy.stats.ttest_1samp), the 95% half-width 3.18244631·0.3227486.
        let four = try #require(PairedTest(differences: [0.5, 1.5, 1.0, 2.0]))
        #expect(abs(try #require(four.t) - 3.872983346207417) < 1e-12)
        #expect(abs(try #require(four.p) - 0.030466291662170977) < 1e-10)
        #expect(abs(try #require(four.halfWidth95) - 3.1824463052837078 * 0.6454972243679028 / 2) < 1e-10)
    }

    @Test func csvFilesHoldExactPerRunAndPerCellValues() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let report = StudyReport(results: results)
        let lines = report.resultsCSV().split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("model,optimizer,seed,run_id,checkpoint,test_acc,elapsed_seconds,epoch,lambda_max,"))
        #expect(lines.count == 1 + 7)  // 7 runs with results
        let row = try #require(lines.first { $0.hasPrefix("vgg-mini,adam,0,") }).split(separator: ",", omittingEmptySubsequences: false)
        #expect(row[5] == "0.8" && row[6] == "10.0" && row[7] == "8.0" && row[8] == "30.0")
        let summary = report.summaryCSV().split(separator: "\n").map(String.init)
        let accuracy = try #require(summary.first { $0.hasPrefix("vgg-mini,sam,test_acc,") }).split(separator: ",").map(String.init)
        #expect(accuracy[3] == "2")
        #expect(abs(Double(accuracy[4])! - 0.87) < 1e-12)
        #expect(abs(Double(accuracy[12])! - 0.12566591637800) < 1e-9)
    }

    @Test func reportFolderHasEveryFileAndFiguresParse() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let folder = store + "/report"
        let written = try StudyReport(results: results).write(to: folder)
        let names = Set(written.map { ($0 as NSString).lastPathComponent })
        #expect(names == ["fig2-accuracy.svg", "density-vgg-mini.svg", "density-resnet-mini.svg", "curves-vgg-mini.svg",
                          "results.csv", "summary.csv", "report.md"])
        for path in written where path.hasSuffix(".svg") {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(StudyFixtures.xmlError(text) == nil, "\(path): \(StudyFixtures.xmlError(text) ?? "")")
        }
        let fig2 = try String(contentsOfFile: folder + "/fig2-accuracy.svg", encoding: .utf8)
        for bar in ["vgg-mini adam = 82", "vgg-mini sam = 87", "resnet-mini adam = 72", "resnet-mini sam = 72"] {
            #expect(fig2.contains("<!-- bar \(bar)"), "missing bar \(bar)")
        }
        #expect(fig2.contains(">+5.0<"))  // Δ vs adam in the sam bar of vgg-mini
        // resnet-mini/sam has one seed of two: the subtitle says so rather than promising intervals.
        #expect(fig2.contains("mean ± 95% CI over seeds: 1–2 of 2 per bar so far (no interval from one seed)"))
        #expect(StudyFigures.seedsSubtitle(counts: [3, 3, 3], planned: 3) == "mean ± 95% CI over 3 seeds")
        let density = try String(contentsOfFile: folder + "/density-vgg-mini.svg", encoding: .utf8)
        #expect(density.contains("data-series=\"adam\"") && density.contains("data-series=\"sam\""))
        let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(md.contains("](fig2-accuracy.svg)") && md.contains("](density-vgg-mini.svg)") && md.contains("](curves-vgg-mini.svg)"))
    }
}

/// Capped runs, the builds behind each run, and the verdicts beside the paper.
struct ReportProvenanceTests {
    func results() throws -> (StudyResults, String) {
        let store = try StudyFixtures.temporaryDirectory()
        let index = try StudyFixtures.fillIndex(store: store, plan: StudyFixtures.plan)
        var results = try StudyResults.load(index: index, plan: StudyFixtures.plan)
        results.runs = [
            "study-t-vgg-mini-adam-s0": .init(epochs: 8, stopReason: "reached-train-accuracy", trainAccuracy: 1, seconds: 10, version: "0.1.0"),
            "study-t-vgg-mini-sam-s1": .init(epochs: 8, stopReason: "max-epochs", trainAccuracy: 0.917, seconds: 22, version: "0.2.0",
                                             commit: "0123456789ab", cpu: "AMD EPYC (family 26, model 2)", blas: "OpenBLAS 0.3.21 Cooperlake"),
        ]
        return (results, store)
    }

    @Test func cappedRunsAreMarkedInTablesFigureAndRunTable() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let md = StudyReport(results: results).markdown()
        #expect(md.contains("| sam | 87 ± 12.71 ‡ |"), "\(md)")
        #expect(!md.contains("| vgg-mini | 82 ± 25.41 ‡"), "adam has no capped run")
        #expect(md.contains("| vgg-mini | sam | 1 | 8 | **epoch cap** | 91.7 | 22 | 0123456789ab, AMD EPYC (family 26, model 2), OpenBLAS 0.3.21 Cooperlake |"), "\(md)")
        #expect(md.contains("| vgg-mini | adam | 0 | 8 | accuracy rule | 100 | 10 | unrecorded (Sharp 0.1.0) |"), "\(md)")
        #expect(md.contains("the runs come from 2 builds"), "\(md)")
        let figure = StudyFigures(results: results).accuracy().text
        #expect(figure.contains("‡ a run stopped at the 8-epoch cap"))
        let csv = StudyReport(results: results).resultsCSV().split(separator: "\n").map(String.init)
        #expect(csv[0].hasSuffix(",stop_reason,sharp_version,commit,cpu,blas"))
        let sam = try #require(csv.first { $0.hasPrefix("vgg-mini,sam,1,") })
        #expect(sam.hasSuffix(",max-epochs,0.2.0,0123456789ab,\"AMD EPYC (family 26, model 2)\",OpenBLAS 0.3.21 Cooperlake"), "\(sam)")
    }

    @Test func verdictsFollowThePairedTestAndThePapersDirection() throws {
        let up = try #require(PairedTest(differences: [0.05, 0.06, 0.055]))  // p < 0.05, positive
        let noise = try #require(PairedTest(differences: [0.05, -0.04, 0.01]))
        let one = try #require(PairedTest(differences: [0.05]))
        #expect(StudyReport.verdict(up, expected: 3.8).hasPrefix("agrees ("))
        #expect(StudyReport.verdict(up, expected: -10.6).hasPrefix("disagrees ("))
        #expect(StudyReport.verdict(noise, expected: 3.8).hasPrefix("not significant ("))
        #expect(StudyReport.verdict(noise, expected: 0).hasPrefix("agrees: no significant difference"))
        #expect(StudyReport.verdict(up, expected: 0).hasPrefix("disagrees"))
        #expect(StudyReport.verdict(one, expected: 3.8) == "one seed: no test yet")
        #expect(StudyReport.verdict(nil, expected: 3.8) == "no runs yet")
    }

    @Test func thePaperSectionComparesSAMOnEveryFamilyThePlanHas() throws {
        let (results, store) = try results()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let md = StudyReport(results: results).nextToThePaper()
        // vgg-mini: paper 87.5 − 84.0 = +3.5; Sharp +5 ± 12.71 over 2 pairs, p = 0.126.
        #expect(md.contains("| SAM improves accuracy in all four | vgg-mini (VGG16) | +3.5 | +5 ± 12.71 | not significant (p = 0.126) |"), "\(md)")
        // Paper λ ratio 0.01 / 32.69; Sharp (1+2)/(30+34); Δλ significantly negative (p = 0.031).
        #expect(md.contains("| SAM is flatter in all four | vgg-mini (VGG16) | ×3.059e-04 | ×0.04688 | ×0.06707 | agrees (p = 0.031) |"), "\(md)")
        #expect(md.contains("| sam | vgg-mini (VGG16) | ×1.714 |"), "\(md)")
        #expect(!md.contains("vit-tiny"), "only the plan's models")
    }
}
