import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `sharp train` nests a plugin's own values (`hyperparameters`) and its base's
/// (`base_hyperparameters`) inside the manifest's hyperparameters; queries see them lifted to the
/// top, so `--where rho=0.05` and `lr=1e-4` mean what a user expects.
struct TrainerHyperparameterTests {
    static let sam = #"""
        {"base":"adam","base_hyperparameters":{"beta1":0.9,"lr":0.0001},"base_version":"1.0.0","batch_size":16,
         "hyperparameters":{"rho":0.05},"learning_rate":0.0001,"max_epochs":40}
        """#
    static let asam = #"""
        {"base":"adam","base_hyperparameters":{"beta1":0.9,"lr":0.001},"batch_size":16,
         "hyperparameters":{"rho":0.5,"eta":0.01},"learning_rate":0.001}
        """#
    static let adam = #"{"batch_size":16,"hyperparameters":{"beta1":0.9,"lr":0.0001},"learning_rate":0.0001}"#

    @Test(arguments: TestBackend.available)
    func nestedPluginAndBaseValuesFilterGroupListAndExport(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let sam = try t.checkpoint(1, optimizer: "sam", hyperparameters: Self.sam)
        let asam = try t.checkpoint(2, optimizer: "asam", hyperparameters: Self.asam)
        let adam = try t.checkpoint(3, optimizer: "adam", hyperparameters: Self.adam)
        for (id, trace) in [(sam, 1.0), (asam, 2.0), (adam, 3.0)] { try t.metric(id, "hessian-trace", "trace", trace) }
        func matches(_ filter: String) throws -> Set<Int64> {
            Set(try t.index.top(TopQuery(metric: "trace", filters: [Filter(parsing: filter)])).rows.map(\.checkpoint.id))
        }
        #expect(try matches("rho=0.05") == [sam])
        #expect(try matches("lr=1e-4") == [sam, adam])  // the base's lr for sam, adam's own
        #expect(try matches("learning_rate=1e-3") == [asam])
        #expect(try matches("hp.base=adam") == [sam, asam])
        #expect(try matches("eta>0") == [asam])
        // No key is the nested object itself.
        let keys = try t.index.hyperparameterKeys()
        #expect(keys.contains("rho") && keys.contains("beta1") && !keys.contains("hyperparameters") && !keys.contains("base_hyperparameters"))
        // Grouping by a nested key.
        let samples = try t.index.comparisonSamples(CompareQuery(rows: "rho", metrics: ["trace"]))
        let groups = Dictionary(grouping: samples, by: \.row).mapValues { $0.map(\.checkpoint) }
        #expect(groups["0.05"] == [TestIndex.hash(1)] && groups["0.5"] == [TestIndex.hash(2)], "\(groups)")
        // `list` shows the lifted keys.
        let listed = try t.index.listCheckpoints(ListQuery()).rows.first { $0.checkpoint.id == sam }
        #expect(listed?.hyperparameters["rho"] == .real(0.05) && listed?.hyperparameters["hyperparameters"] == nil)
    }
}
