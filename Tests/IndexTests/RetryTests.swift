import Foundation
import Testing

@testable import Index

/// Failed jobs get another chance: selected by plugin, version, request or checkpoint, reset as
/// new; and a plugin file replaced under the same version is noticed.
struct RetryTests {
    let trace = PluginKey(plugin: "hessian-trace", version: "1.0.0", paramsHash: "a", paramsJSON: #"{"request":"hessian-trace:probes=4"}"#)
    let trace2 = PluginKey(plugin: "hessian-trace", version: "2.0.0", paramsHash: "b", paramsJSON: #"{"request":"hessian-trace"}"#)
    let accuracy = PluginKey(plugin: "accuracy", version: "1.0.0", paramsHash: "c", paramsJSON: #"{"request":"accuracy"}"#)

    /// Two checkpoints × three keys, every job failed, but one left queued.
    func failedIndex(_ backend: TestBackend) throws -> TestIndex {
        let t = try TestIndex(backend)
        for n in 1...2 { try t.index.enqueueJobs(checkpointID: try t.checkpoint(n), plugins: [trace, trace2, accuracy], priority: 0) }
        for n in 0..<5 {
            let job = try #require(try t.index.claimNextJob(worker: "w:\(n)", at: TestIndex.epoch))
            #expect(try t.index.failJob(id: job.id, worker: "w:\(n)", reason: "boom", retryAt: nil, at: TestIndex.epoch))
        }
        return t
    }

    func states(_ t: TestIndex) throws -> [String: Int] {
        Dictionary(try t.rows("SELECT state, count(*) FROM jobs GROUP BY state").map { ($0[0].string ?? "", Int($0[1].int64 ?? 0)) },
                   uniquingKeysWith: +)
    }

    // Claims take the newer checkpoint (2) first: its three jobs and checkpoint 1's two trace
    // jobs fail; checkpoint 1's accuracy job stays queued.
    @Test(arguments: TestBackend.available)
    func filtersSelectFailedJobsOnlyAndResetThem(_ backend: TestBackend) throws {
        let t = try failedIndex(backend)
        #expect(try states(t) == ["failed": 5, "queued": 1])
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "hessian-trace", version: "2.0.0"), at: TestIndex.epoch) == 2)
        #expect(try t.index.retryFailedJobs(RetryFilter(request: "hessian-trace:probes=4"), at: TestIndex.epoch) == 2)
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "nothing"), at: TestIndex.epoch) == 0)
        #expect(try t.index.retryFailedJobs(RetryFilter(checkpoint: String(TestIndex.hash(2).prefix(62))), at: TestIndex.epoch) == 1)
        #expect(try states(t) == ["queued": 6])
        #expect(try t.count("SELECT count(*) FROM jobs WHERE attempts <> 0 OR error IS NOT NULL OR finished_at IS NOT NULL") == 0)
    }

    @Test(arguments: TestBackend.available)
    func aCheckpointIsNamedByItsPathToo(_ backend: TestBackend) throws {
        let t = try failedIndex(backend)
        #expect(try t.index.retryFailedJobs(RetryFilter(checkpoint: t.directory + "/ckpt-1.ckpt.tar.zst"), at: TestIndex.epoch) == 2)
        #expect(try states(t) == ["failed": 3, "queued": 3])
    }

    @Test(arguments: TestBackend.available)
    func everyFailedJobIsRetriedWithoutAFilter(_ backend: TestBackend) throws {
        let t = try failedIndex(backend)
        #expect(try t.index.retryFailedJobs(RetryFilter(), at: TestIndex.epoch) == 5)
        #expect(try states(t) == ["queued": 6])
    }

    /// `--plugin NAME` for an optimizer plugin selects the sharpness jobs whose key names it.
    @Test(arguments: TestBackend.available)
    func anOptimizerNamedInASharpnessKeySelectsThoseJobs(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let sharpness = PluginKey(plugin: "sharpness", version: "1.0.0", paramsHash: "d",
                                  paramsJSON: #"{"optimizers":["lookahead@0.1.0","sam@1.0.0"],"request":"sharpness"}"#)
        try t.index.enqueueJobs(checkpointID: try t.checkpoint(1), plugins: [sharpness, accuracy], priority: 0)
        for n in 0..<2 {
            let job = try #require(try t.index.claimNextJob(worker: "w:\(n)", at: TestIndex.epoch))
            #expect(try t.index.failJob(id: job.id, worker: "w:\(n)", reason: "boom", retryAt: nil, at: TestIndex.epoch))
        }
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "lookahead", version: "0.2.0"), at: TestIndex.epoch) == 0)
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "look"), at: TestIndex.epoch) == 0)
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "Lookahead"), at: TestIndex.epoch) == 0)  // names are exact, on both backends
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "lookahead", paramsHash: "other"), at: TestIndex.epoch) == 0)
        #expect(try t.index.retryFailedJobs(RetryFilter(plugin: "lookahead", version: "0.1.0"), at: TestIndex.epoch) == 1)
        #expect(try t.count("SELECT count(*) FROM jobs WHERE state = 'failed' AND plugin = 'accuracy'") == 1)
    }

    @Test(arguments: TestBackend.available)
    func aPluginFileReplacedUnderTheSameVersionIsNoticed(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        #expect(try t.index.recordPluginFile(plugin: "p", version: "1", sha256: "aa", at: TestIndex.epoch) == false)  // first sight
        #expect(try t.index.recordPluginFile(plugin: "p", version: "1", sha256: "aa", at: TestIndex.epoch) == false)
        #expect(try t.index.recordPluginFile(plugin: "p", version: "2", sha256: "bb", at: TestIndex.epoch) == false)
        #expect(try t.index.recordPluginFile(plugin: "p", version: "1", sha256: "cc", at: TestIndex.epoch))
        #expect(try t.index.recordPluginFile(plugin: "p", version: "1", sha256: "cc", at: TestIndex.epoch) == false)
    }
}
