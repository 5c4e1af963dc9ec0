import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// Metric rows are unique on (checkpoint, plugin, version, params hash, name); queries use the
/// newest plugin version; NaN survives as a flag.
struct MetricRecordingTests {
    @Test(arguments: TestBackend.available)
    func reRecordingTheSameKeyReplacesTheValueInPlace(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        try t.metric(id, "hessian-trace", "trace", 1.5)
        try t.metric(id, "hessian-trace", "trace", 2.5)
        #expect(try t.rows("SELECT value, is_current FROM metrics") == [[.real(2.5), .integer(1)]])
    }

    @Test(arguments: TestBackend.available)
    func theNewestPluginVersionIsCurrentWhicheverOrderTheyArrive(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        try t.metric(id, "hessian-trace", "trace", 10, version: "1.9.0")
        try t.metric(id, "hessian-trace", "trace", 20, version: "1.10.0")
        try t.metric(id, "hessian-trace", "trace", 30, version: "1.2.0")  // an old worker finishing late
        #expect(try t.count("SELECT count(*) FROM metrics") == 3)
        #expect(try t.rows("SELECT plugin_version FROM metrics WHERE is_current = 1") == [[.text("1.10.0")]])
        #expect(try t.index.top(TopQuery(metric: "trace")).rows.first?.reading.value == .number(20))
    }

    @Test(arguments: TestBackend.available)
    func nanIsStoredAsNullWithAFlagAndInfinityAsItself(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        try t.metric(id, "hessian-trace", "trace", .nan)
        try t.metric(id, "hessian-eigen", "lambda_max", .infinity)
        #expect(try t.rows("SELECT name, value, is_nan FROM metrics ORDER BY name") == [
            [.text("lambda_max"), .real(.infinity), .integer(0)], [.text("trace"), .null, .integer(1)],
        ])
        #expect(try t.index.checkpointDetail(prefix: "0").metrics.map(\.value) == [.number(.infinity), .nan])
    }

    @Test(arguments: TestBackend.available)
    func resultsOfOneRunAreRecordedInOneTransaction(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        let key = PluginKey(plugin: "hessian-spectrum", version: "1.0.0")
        let bad = ScoringResults(
            metrics: [MetricRecord(checkpointID: id, key: key, name: "median", value: 1)],
            series: [SeriesRecord(checkpointID: id, key: key, name: "density", dataJSON: "not json")])
        #expect(throws: IndexError.self) { try t.index.recordResults(bad, at: TestIndex.epoch) }
        #expect(try t.count("SELECT count(*) FROM metrics") == 0)  // rolled back with the series
        var good = bad
        good.series[0].dataJSON = #"{"x":[0,1],"y":[0.5,0.5]}"#
        try t.index.recordResults(good, at: TestIndex.epoch)
        #expect(try t.index.checkpointDetail(prefix: "0").series.map(\.name) == ["density"])
    }

    @Test(arguments: TestBackend.available)
    func aMetricForAnUnknownCheckpointIsRefusedByTheForeignKey(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        #expect(throws: IndexError.self) { try t.metric(42, "hessian-trace", "trace", 1) }
    }

    @Test func versionRanksOrderNumerically() {
        func rank(_ v: String) -> Int64 { PluginKey(plugin: "p", version: v).versionRank }
        #expect(rank("1.10.0") > rank("1.9.9"))
        #expect(rank("2.0.0") > rank("1.999.999"))
        #expect(rank("1.2") == rank("1.2.0"))
        #expect(rank("1.2.3-beta") == rank("1.2.3"))
        #expect(rank("dev") == 0)
    }
}
