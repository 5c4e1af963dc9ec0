import Foundation
import Glibc
import Index
import Testing

@testable import Daemon

/// The start-up scan reads a known file again only when it may have changed: an unchanged
/// `FileIdentity` (inode, size, modification and status-change times) is trusted, anything else
/// is read and hashed as before.
struct UnchangedFileScanTests {
    @Test(.timeLimit(.minutes(2)))
    func aKnownFileIsReadAgainOnlyWhenItsIdentityChanged() throws {
        let h = try DaemonHarness("unchanged")
        guard h.hasExecutables else { return }
        let first = try #require(h.trainTinyModel(into: h.root + "/a", seed: 0).first)
        let second = try #require(h.trainTinyModel(into: h.root + "/b", seed: 1).first)
        let index = try IndexStore(store: h.store)
        var intake = CheckpointIntake(layout: StoreLayout(root: h.store), index: index, log: DaemonLog(), holder: "test:1", claimLease: 60)
        // Files here are seconds old at most; a zero margin lets their identity be recorded, and
        // the pauses below step past the file-time tick instead.
        intake.identityMargin = 0
        let tick: useconds_t = 50_000
        let plan = [PlannedMetric(key: PluginKey(plugin: "accuracy", version: "1.0.0"), request: "accuracy")]
        let path = h.store + "/x.ckpt.tar.zst"
        let files = FileManager.default

        try files.copyItem(atPath: first, toPath: path)
        usleep(tick)
        guard case .indexed(let id, 1) = try intake.examine(path, plan: plan, priority: 0) else {
            Issue.record("a new file is indexed with its job")
            return
        }
        #expect(try intake.examine(path, plan: plan, priority: 0) == .unchanged(id: id, queued: 0))

        // The same bytes written again: the identity moved, so the file is read (and known).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.write(to: URL(fileURLWithPath: path))
        usleep(tick)
        #expect(try intake.examine(path, plan: plan, priority: 0) == .known(id: id, queued: 0))
        #expect(try intake.examine(path, plan: plan, priority: 0) == .unchanged(id: id, queued: 0))

        // Other bytes under the same name (a rename over it): a new checkpoint, not the old one.
        let staged = h.store + "/staged.tmp"
        try files.copyItem(atPath: second, toPath: staged)
        #expect(rename(staged, path) == 0)
        usleep(tick)
        guard case .indexed(let other, 1) = try intake.examine(path, plan: plan, priority: 0) else {
            Issue.record("replaced bytes are indexed as a new checkpoint")
            return
        }
        #expect(other != id)
        #expect(try intake.examine(path, plan: plan, priority: 0) == .unchanged(id: other, queued: 0))

        // A path marked missing is never trusted, even if a file with that identity comes back.
        try index.markPathMissing(path, at: Date())
        #expect(try intake.examine(path, plan: plan, priority: 0) == .known(id: other, queued: 0))

        // A new plan metric is still queued for an unchanged file.
        let wider = plan + [PlannedMetric(key: PluginKey(plugin: "hessian-trace", version: "1.0.0"), request: "hessian-trace")]
        #expect(try intake.examine(path, plan: wider, priority: 0) == .unchanged(id: other, queued: 1))
    }

    @Test(.timeLimit(.minutes(2)))
    func aFileChangedMomentsAgoIsReadAgainNextTime() throws {
        let h = try DaemonHarness("racy")
        guard h.hasExecutables else { return }
        let source = try #require(h.trainTinyModel(into: h.root + "/a").first)
        let index = try IndexStore(store: h.store)
        let intake = CheckpointIntake(layout: StoreLayout(root: h.store), index: index, log: DaemonLog(), holder: "test:1", claimLease: 60)
        let plan = [PlannedMetric(key: PluginKey(plugin: "accuracy", version: "1.0.0"), request: "accuracy")]
        let path = h.store + "/fresh.ckpt.tar.zst"
        try FileManager.default.copyItem(atPath: source, toPath: path)
        guard case .indexed(let id, _) = try intake.examine(path, plan: plan, priority: 0) else {
            Issue.record("a new file is indexed")
            return
        }
        // Within the default margin its identity is not trusted: an equal-size rewrite in the
        // same file-time tick would be indistinguishable.
        #expect(try intake.examine(path, plan: plan, priority: 0) == .known(id: id, queued: 0))
    }
}
