import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// WAL: readers never fail while a writer commits (docs/index-and-queries.md §1).
struct ReaderWriterTests {
    @Test func readersLoopingTopNeverFailWhileAWriterCommitsAThousandResults() throws {
        let t = try TestIndex()
        var ids: [Int64] = []
        for n in 0..<50 { ids.append(try t.checkpoint(n)) }
        let path = t.path
        let outcome = Claims()
        let group = DispatchGroup()
        let done = Claims()  // the writer adds one entry when finished
        group.enter()
        Thread { [ids] in
            defer { group.leave(); done.add(0, worker: 0) }
            do {
                let writer = try IndexStore(path: path)
                for i in 0..<1000 {
                    let key = PluginKey(plugin: "hessian-trace", version: "1.0.\(i / 50)")
                    let record = MetricRecord(checkpointID: ids[i % 50], key: key, name: "trace", value: Double(i))
                    try writer.recordResults(ScoringResults(metrics: [record]))
                }
            } catch { outcome.fail("writer: \(error)") }
        }.start()
        for r in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let reader = try IndexStore(path: path, mode: .readOnly)
                    while done.ids.isEmpty {
                        let result = try reader.top(TopQuery(metric: "trace", limit: 5))
                        outcome.add(Int64(result.total), worker: r)
                    }
                } catch { outcome.fail("reader \(r): \(error)") }
            }.start()
        }
        group.wait()
        #expect(outcome.errors.isEmpty, "\(outcome.errors.prefix(3))")
        #expect(outcome.ids.count > 4)
        #expect(try t.count("SELECT count(*) FROM metrics WHERE is_current = 1") == 50)
        #expect(try t.rows("SELECT DISTINCT plugin_version FROM metrics WHERE is_current = 1") == [[.text("1.0.19")]])
        #expect(try t.index.integrityCheck() == "ok")
    }
}
