import Foundation
import Testing

@testable import Scoring

/// `sharp score`'s table shows a plugin's declared short names and each metric's notes; CSV keeps
/// the names the plugin reports.
struct ScoreReportTests {
    @Test func theTableShowsShortNamesAndNotesAndTheCSVTheLongNames() throws {
        let outcome = MetricOutcome(
            request: "probe", plugin: "probe", version: "0.1.0", hyperparameters: "{}",
            scalars: [.init(name: "power_top_eigenvalue", value: 3, standardError: nil, hvpCount: 7, seconds: 0.5)], series: [],
            seconds: 0.5, counters: EvaluationCounters(), notes: ["something to know"], shortNames: ["power_top_eigenvalue": "power_top"])
        let report = ScoreReport(entries: [.init(checkpoint: "/s/c.ckpt.tar.zst", runID: "r", model: "mlp", optimizer: "adam",
                                                 evaluation: [:], metrics: [outcome])])
        let table = report.table()
        #expect(table.contains("power_top ") && !table.contains("power_top_eigenvalue"), "\(table)")
        #expect(table.contains("    note: something to know"), "\(table)")
        #expect(report.csv().contains(",power_top_eigenvalue,"))
        #expect(try report.json().contains("\"short_names\""))
    }
}
