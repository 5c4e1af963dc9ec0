import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// A checkpoint is its content hash: a copy or a rename adds a path, never a row.
struct CheckpointUpsertTests {
    @Test(arguments: TestBackend.available)
    func theSameBytesUnderTwoNamesAreOneRowWithTwoPaths(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let first = try t.index.upsertCheckpoint(record(1), path: "/s/a.ckpt.tar.zst", at: TestIndex.epoch)
        let copy = try t.index.upsertCheckpoint(record(1), path: "/s/copy.ckpt.tar.zst", at: TestIndex.epoch)
        let again = try t.index.upsertCheckpoint(record(1), path: "/s/copy.ckpt.tar.zst", at: TestIndex.epoch)
        #expect(first.isNew && first.isNewPath)
        #expect(copy == CheckpointUpsert(id: first.id, isNew: false, isNewPath: true))
        #expect(again == CheckpointUpsert(id: first.id, isNew: false, isNewPath: false))
        #expect(try t.count("SELECT count(*) FROM checkpoints") == 1)
        #expect(try t.count("SELECT count(*) FROM checkpoint_paths WHERE checkpoint_id = ?", [.integer(first.id)]) == 2)
        #expect(try t.index.checkpointDetail(prefix: "copy.ckpt.tar.zst").paths.map(\.path) == ["/s/a.ckpt.tar.zst", "/s/copy.ckpt.tar.zst"])
    }

    @Test(arguments: TestBackend.available)
    func aCheckpointWhoseLastPathIsGoneIsMissingAndComesBackWhenSeenAgain(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.index.upsertCheckpoint(record(2), path: "/s/b", at: TestIndex.epoch).id
        try t.metric(id, "hessian-trace", "trace", 5)
        try t.index.markPathMissing("/s/b", at: TestIndex.epoch)
        #expect(try t.rows("SELECT status FROM checkpoints").first?.first == .text("missing"))
        #expect(try t.count("SELECT count(*) FROM metrics") == 1)  // results kept
        try t.index.upsertCheckpoint(record(2), path: "/s/moved-back", at: TestIndex.epoch)
        #expect(try t.rows("SELECT status FROM checkpoints").first?.first == .text("ok"))
    }

    @Test(arguments: TestBackend.available)
    func anUnreadableFileIsRecordedQuarantinedWithItsReasonAndHiddenFromQueries(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        try t.checkpoint(1)
        try t.index.recordUnreadableFile(
            sha256: TestIndex.hash(9), path: "/s/bad.ckpt.tar.zst", sizeBytes: 10, reason: "truncated zstd frame",
            at: TestIndex.epoch)
        #expect(try t.rows("SELECT status, error FROM checkpoints WHERE sha256 = ?", [.text(TestIndex.hash(9))]).first
            == [.text("quarantined"), .text("truncated zstd frame")])
        #expect(try t.index.listCheckpoints(ListQuery()).total == 1)
        #expect(try t.index.listCheckpoints(ListQuery(filters: [Filter(parsing: "status=quarantined")])).total == 1)
    }

    @Test(arguments: TestBackend.available)
    func showFindsACheckpointByUniquePrefixAndListsCandidatesWhenAmbiguous(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        try t.checkpoint(1, hashPrefix: "3fa9")
        try t.checkpoint(2, hashPrefix: "3f11")
        #expect(try t.index.checkpointDetail(prefix: "3fa9").sha256 == TestIndex.hash(1, prefix: "3fa9"))
        #expect(try t.index.checkpointDetail(prefix: "3FA9").sha256 == TestIndex.hash(1, prefix: "3fa9"))
        let error = #expect(throws: IndexError.self) { try t.index.checkpointDetail(prefix: "3f") }
        guard case .ambiguous(let candidates) = error?.kind else { Issue.record("not ambiguous: \(String(describing: error))"); return }
        #expect(candidates.count == 2)
        #expect(error?.isUsageError == true)
        let missing = #expect(throws: IndexError.self) { try t.index.checkpointDetail(prefix: "abc") }
        #expect(missing?.kind == .notFound)
    }

    private func record(_ n: Int) -> CheckpointRecord {
        CheckpointRecord(
            sha256: TestIndex.hash(n), runID: "r", createdAt: TestIndex.epoch, model: "mlp", optimizer: "sgd", seed: 1)
    }
}
