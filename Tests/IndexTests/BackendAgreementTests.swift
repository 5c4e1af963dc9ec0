import Foundation
import Testing

@testable import Index
@testable import IndexQueries
@testable import Statistics

/// Where SQLite and PostgreSQL differ by nature (JSON booleans, number spellings, the order of
/// NULLs, text comparison), the index answers alike on both.
struct BackendAgreementTests {
    /// Three runs: lr 1e-05 with nesterov, lr 1e-4 without, and one with a string and a null.
    static func fixture(_ backend: TestBackend) throws -> TestIndex {
        let t = try TestIndex(backend)
        try t.checkpoint(1, optimizer: "sgd", seed: 1, hyperparameters: #"{"lr":1e-05,"nesterov":true}"#)
        try t.checkpoint(2, optimizer: "sgd", seed: 1, hyperparameters: #"{"lr":0.0001,"nesterov":false}"#)
        try t.checkpoint(3, optimizer: "sgd", seed: 1, hyperparameters: #"{"lr":"warmup","nesterov":null}"#)
        for (n, value) in [(1, 0.5), (2, 0.75), (3, 0.25)] { try t.metric(Int64(n), "accuracy", "test_acc", value) }
        return t
    }

    static func hashes(_ t: TestIndex, _ conditions: String...) throws -> [String] {
        try t.index.listCheckpoints(ListQuery(filters: conditions.map { try Filter(parsing: $0) })).rows
            .map { String($0.checkpoint.sha256.suffix(1)) }.sorted()
    }

    @Test(arguments: TestBackend.available)
    func booleanAndNumericFiltersMatchTheSameCheckpoints(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        #expect(try Self.hashes(t, "nesterov=true") == ["1"])
        #expect(try Self.hashes(t, "nesterov=false") == ["2"])
        #expect(try Self.hashes(t, "hp.lr<0.00005") == ["1"])
        #expect(try Self.hashes(t, "hp.lr>0") == ["1", "2"])  // a string lr is not a number
        #expect(try Self.hashes(t, "hp.lr=warmup") == ["3"])
    }

    @Test(arguments: TestBackend.available)
    func groupLabelsOfHyperparametersReadAlike(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        let samples = try t.index.comparisonSamples(CompareQuery(rows: "hp.lr", cols: "hp.nesterov", metrics: ["test_acc"]))
        #expect(samples.map(\.row).sorted() == ["0.0001", "1e-05", "warmup"])
        #expect(samples.compactMap(\.col).sorted() == ["-", "0", "1"])
    }

    @Test(arguments: TestBackend.available)
    func showFindsAPathWhateverItsCase(_ backend: TestBackend) throws {
        let t = try Self.fixture(backend)
        let detail = try t.index.checkpointDetail(prefix: "CKPT-2.CKPT.TAR.ZST")
        #expect(detail.sha256 == TestIndex.hash(2))
    }
}
