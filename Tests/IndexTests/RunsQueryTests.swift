import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `runs`: one row per run id, newest first, described by the run's last checkpoint.
struct RunsQueryTests {
    /// Run `adam-s1`: epochs 5, 10, 15 (minutes 1–3); `sam-s2`: epochs 5, 10 (minutes 4–5, the
    /// newest run); `asam-s1`: epoch 5 (minute 2). Training loss is 1/epoch and accuracy
    /// epoch/20, so the last checkpoint is recognisable. One unreadable file (no run).
    static func fixture(_ backend: TestBackend) throws -> (TestIndex, [String: Int64]) {
        let t = try TestIndex(backend)
        var last: [String: Int64] = [:]
        var n = 0
        let runs: [(run: String, optimizer: String, seed: UInt64, epochs: [Int], minutes: [Double])] = [
            ("adam-s1", "adam", 1, [5, 10, 15], [1, 2, 3]), ("sam-s2", "sam", 2, [5, 10], [4, 5]),
            ("asam-s1", "asam", 1, [5], [2]),
        ]
        for r in runs {
            for (epoch, minutes) in zip(r.epochs, r.minutes) {
                n += 1
                let record = CheckpointRecord(
                    sha256: TestIndex.hash(n), runID: r.run, createdAt: TestIndex.epoch.addingTimeInterval(60 * minutes),
                    model: "vgg-mini", optimizer: r.optimizer, baseOptimizer: r.optimizer == "adam" ? nil : "adam",
                    seed: r.seed, epoch: epoch, step: epoch * 10, trainingLoss: 1 / Double(epoch),
                    trainingAccuracy: Double(epoch) / 20, elapsedSeconds: Double(epoch) * 3,
                    stopReason: epoch == r.epochs.last ? "completed" : "running")
                let id = try t.index.upsertCheckpoint(record, path: "\(t.directory)/\(n).ckpt.tar.zst", at: TestIndex.epoch).id
                try t.metric(id, "hessian-trace", "trace", Double(epoch))
                last[r.run] = id
            }
        }
        try t.index.recordUnreadableFile(
            sha256: TestIndex.hash(99), path: "\(t.directory)/bad.ckpt.tar.zst", sizeBytes: 3, reason: "truncated", at: TestIndex.epoch)
        return (t, last)
    }

    @Test(arguments: TestBackend.available)
    func oneRowPerRunNewestFirstWithTheLastCheckpointsTrainingState(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let result = try t.index.runs(RunsQuery())
        #expect(result.runs.map(\.runID) == ["sam-s2", "adam-s1", "asam-s1"])
        #expect(result.total == 3)
        let adam = try #require(result.runs.first { $0.runID == "adam-s1" })
        #expect(adam.checkpoints == 3 && adam.lastEpoch == 15)
        #expect(adam.last.sha256 == TestIndex.hash(3))
        #expect(adam.last.trainingLoss == 1.0 / 15 && adam.last.trainingAccuracy == 0.75 && adam.last.elapsedSeconds == 45)
        #expect(adam.stopReason == "completed" && adam.last.seed == 1 && adam.last.baseOptimizer == nil)
        #expect(adam.lastCreatedAt == TestIndex.epoch.addingTimeInterval(180))
    }

    @Test(arguments: TestBackend.available)
    func theTableHasAFixedColumnOrderAndTheHashPrefix(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let table = try t.index.runs(RunsQuery(metrics: ["trace"])).table()
        #expect(table.columns == [
            "run_id", "last_created_at", "model", "optimizer", "base_optimizer", "dataset", "seed", "checkpoints",
            "last_epoch", "training_accuracy", "training_loss", "elapsed_seconds", "stop_reason", "last_checkpoint", "trace",
        ])
        #expect(table.rows[0] == [
            .text("sam-s2"), .text("2026-05-01T00:05:00Z"), .text("vgg-mini"), .text("sam"), .text("adam"), .text("bus-synth"),
            .integer(2), .integer(2), .integer(10), .number(0.5), .number(0.1), .number(30), .text("completed"),
            .text(String(TestIndex.hash(5).prefix(12))), .number(10),
        ])
        let csv = table.render(as: .csv).stdout
        #expect(csv.split(separator: "\n").count == 4)
    }

    @Test(arguments: TestBackend.available)
    func filtersSelectCheckpointsSoCountsFollowThem(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        #expect(try t.index.runs(RunsQuery(filters: [Filter(parsing: "optimizer=sam")])).runs.map(\.runID) == ["sam-s2"])
        let early = try t.index.runs(RunsQuery(filters: [Filter(parsing: "epoch<=10")]))
        let adam = try #require(early.runs.first { $0.runID == "adam-s1" })
        #expect(adam.checkpoints == 2 && adam.lastEpoch == 10 && adam.last.sha256 == TestIndex.hash(2))
        let byMetric = try t.index.runs(RunsQuery(filters: [Filter(parsing: "trace>12")]))
        #expect(byMetric.runs.map(\.runID) == ["adam-s1"] && byMetric.runs[0].checkpoints == 1)
        let quarantined = try t.index.runs(RunsQuery(filters: [Filter(parsing: "status=quarantined")]))
        #expect(quarantined.runs.isEmpty && quarantined.total == 0)  // an unreadable file is not a run
    }

    @Test(arguments: TestBackend.available)
    func aLimitTruncatesVisibly(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let one = try t.index.runs(RunsQuery(limit: 1))
        #expect(one.runs.count == 1 && one.total == 3)
        #expect(one.table().isTruncated)
        #expect(one.table().render(as: .tsv).stderr == "… 2 more (use --limit N, or --limit 0 for all)\n")
        #expect(try t.index.runs(RunsQuery(limit: 0)).runs.count == 3)
    }

    @Test(arguments: TestBackend.available)
    func unknownFieldsAndMetricsFailWithTheValidNames(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let field = #expect(throws: IndexError.self) { try t.index.runs(RunsQuery(filters: [Filter(parsing: "optimiser=sam")])) }
        guard case .unknownName(let suggestions) = field?.kind else { Issue.record("wrong error \(String(describing: field))"); return }
        #expect(suggestions.first == "optimizer" && suggestions.contains("run_id"))
        #expect(field?.message.contains("Valid: optimizer") == true)
        let metric = #expect(throws: IndexError.self) { try t.index.runs(RunsQuery(metrics: ["trce"])) }
        #expect(metric?.message.contains("did you mean 'trace'") == true && metric?.isUsageError == true)
    }
}
