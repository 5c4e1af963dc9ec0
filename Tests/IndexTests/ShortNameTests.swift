import Foundation
import Testing

@testable import Index
@testable import IndexQueries

/// Short names a metric plugin declares (`metric_names.short_name`): they resolve, head the
/// columns, and are listed; a clash with the catalog, a field, another output name or another
/// plugin's short name leaves the long forms only.
struct ShortNameTests {
    static func key(_ plugin: String) -> PluginKey { PluginKey(plugin: plugin, version: "0.1.0", paramsHash: "h") }

    func index(_ backend: TestBackend, _ outputs: [(plugin: String, name: String, short: String?)]) throws -> TestIndex {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        try t.index.recordResults(ScoringResults(metrics: outputs.map {
            MetricRecord(checkpointID: id, key: Self.key($0.plugin), name: $0.name, value: 1, shortName: $0.short)
        }), at: TestIndex.epoch)
        return t
    }

    @Test(arguments: TestBackend.available)
    func aDeclaredShortNameResolvesAndIsShown(_ backend: TestBackend) throws {
        let t = try index(backend, [("curvature-probe", "power_top_eigenvalue", "power_top"), ("curvature-probe", "loss", nil)])
        let ref = try t.index.resolveMetric("power_top")
        #expect(ref == MetricRef(plugin: "curvature-probe", name: "power_top_eigenvalue", alias: "power_top"))
        #expect(ref.displayName == "power_top")
        #expect(try t.index.resolveMetric("curvature-probe:power_top_eigenvalue").alias == "power_top")
        #expect(try t.index.resolveMetric("power_top_eigenvalue").alias == "power_top")
        let summaries = try t.index.metricSummaries()
        #expect(summaries.map(\.metric.displayName).sorted() == ["curvature-probe:loss", "power_top"])
        #expect(try t.index.checkpointDetail(prefix: String(TestIndex.hash(1).prefix(8))).metrics.map(\.metric.displayName).contains("power_top"))
    }

    @Test(arguments: TestBackend.available)
    func clashesLeaveTheLongForms(_ backend: TestBackend) throws {
        let t = try index(backend, [
            ("a", "x_value", "trace"),  // the catalog's
            ("a", "y_value", "model"),  // a checkpoint field
            ("a", "z_value", "shared"), ("b", "z_value", "shared"),  // two plugins
            ("c", "w_value", "gap_c"), ("d", "gap_c", nil),  // another plugin's output name
        ])
        #expect(try t.index.resolveMetric("trace").plugin == "hessian-trace")
        #expect(throws: IndexError.self) { try t.index.resolveMetric("shared") }
        #expect(try t.index.resolveMetric("gap_c").plugin == "d")
        #expect(try t.index.resolveMetric("a:x_value").alias == nil)
        #expect(try t.index.resolveMetric("c:w_value").alias == nil)
        #expect(MetricCatalog.declaredAliases(try t.index.presentMetrics()).isEmpty)
    }
}
