import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `top`: largest first, `--asc` flips; NaN then missing always last; ties by time then hash;
/// filters compare numbers as numbers; unknown names fail with the closest valid ones.
struct TopQueryTests {
    /// c1/c2/c7 tie at 5 (c2 and c7 also tie in time), c4 is NaN, c5 has no trace.
    static func fixture(_ backend: TestBackend) throws -> (TestIndex, [Int: Int64]) {
        let t = try TestIndex(backend)
        var ids: [Int: Int64] = [:]
        let spec: [(n: Int, minutes: Double, trace: Double?, optimizer: String, seed: UInt64, lr: String)] = [
            (1, 1, 5, "adam", 1, "0.0001"), (2, 2, 5, "sam", 1, "1e-04"), (3, 3, 0.5, "sam", 2, "0.001"),
            (4, 4, .nan, "asam", 1, "0.0001"), (5, 5, nil, "adam", 2, "0.001"), (6, 6, 10, "gsam", 1, "0.001"),
            (7, 2, 5, "sam", 3, "0.001"),
        ]
        for s in spec {
            let id = try t.checkpoint(s.n, optimizer: s.optimizer, seed: s.seed, minutes: s.minutes, hyperparameters: "{\"lr\":\(s.lr)}")
            ids[s.n] = id
            if let trace = s.trace { try t.metric(id, "hessian-trace", "trace", trace, standardError: 0.1) }
        }
        try t.metric(ids[1]!, "hessian-eigen", "lambda_max", 9)
        try t.metric(ids[2]!, "hessian-eigen", "lambda_max", 100)
        return (t, ids)
    }

    func order(_ t: TestIndex, _ query: TopQuery) throws -> [Int64] { try t.index.top(query).rows.map(\.checkpoint.id) }

    @Test(arguments: TestBackend.available)
    func largestFirstThenNaNThenMissingWithTiesByNewestThenHash(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        #expect(try order(t, TopQuery(metric: "trace")) == [c[6]!, c[2]!, c[7]!, c[1]!, c[3]!, c[4]!, c[5]!])
    }

    @Test(arguments: TestBackend.available)
    func ascendingFlipsTheNumbersButNaNAndMissingStayLast(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        #expect(try order(t, TopQuery(metric: "trace", ascending: true)) == [c[3]!, c[2]!, c[7]!, c[1]!, c[6]!, c[4]!, c[5]!])
        let result = try t.index.top(TopQuery(metric: "trace", ascending: true))
        #expect(result.rows.suffix(2).map(\.reading.value) == [.nan, .missing])
    }

    @Test(arguments: TestBackend.available)
    func aLimitTruncatesVisiblyAndAcrossTheNaNBoundary(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        let top3 = try t.index.top(TopQuery(metric: "trace", limit: 3))
        #expect(top3.rows.count == 3 && top3.total == 7)
        #expect(top3.table().isTruncated)
        #expect(try order(t, TopQuery(metric: "trace", limit: 6)) == [c[6]!, c[2]!, c[7]!, c[1]!, c[3]!, c[4]!])
        #expect(try order(t, TopQuery(metric: "trace", limit: 0)).count == 7)
    }

    @Test(arguments: TestBackend.available)
    func pagesOfEverySizeJoinIntoTheWholeRankingAcrossTheNaNAndMissingPasses(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        for ascending in [false, true] {
            let whole = try order(t, TopQuery(metric: "trace", ascending: ascending, limit: 0))
            for size in 1...4 {
                var joined: [Int64] = []
                for page in 0..<(whole.count + size) / size {
                    joined += try order(t, TopQuery(metric: "trace", ascending: ascending, limit: size, offset: page * size))
                }
                #expect(joined == whole, "pages of \(size), ascending \(ascending)")
            }
            #expect(try order(t, TopQuery(metric: "trace", ascending: ascending, limit: 3, offset: 7)).isEmpty)
            #expect(try order(t, TopQuery(metric: "trace", ascending: ascending, limit: 0, offset: 5)) == Array(whole.dropFirst(5)))
        }
        let list = try t.index.listCheckpoints(ListQuery(limit: 0)).rows.map(\.checkpoint.id)
        let pages = try (0..<3).flatMap { try t.index.listCheckpoints(ListQuery(limit: 3, offset: $0 * 3)).rows.map(\.checkpoint.id) }
        #expect(pages == list)
    }

    @Test(arguments: TestBackend.available)
    func repeatedCallsGiveByteIdenticalOutputInEveryFormat(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let reader = try t.reader()
        for format in OutputFormat.allCases where format != .auto {
            let first = try t.index.top(TopQuery(metric: "trace")).table().render(as: format)
            for _ in 0..<3 { #expect(try reader.top(TopQuery(metric: "trace")).table().render(as: format) == first) }
        }
    }

    @Test(arguments: TestBackend.available)
    func filtersAreANDedAndInIsTheWayToSayOr(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        let samSeed1 = try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "optimizer=sam"), Filter(parsing: "seed=1")]))
        #expect(samSeed1 == [c[2]!])
        let either = try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "optimizer in asam, gsam")]))
        #expect(either == [c[6]!, c[4]!])
    }

    @Test(arguments: TestBackend.available)
    func metricFiltersCompareNumbersAsNumbersAndNaNOnlyMatchesNotEqual(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        // As text, "9" > "10"; as numbers it is not.
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "lambda_max>10")])) == [c[2]!])
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "trace<1")])) == [c[3]!])
        let notOne = try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "trace!=1")]))
        #expect(notOne == [c[6]!, c[2]!, c[7]!, c[1]!, c[3]!, c[4]!])  // NaN in, missing out
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "trace=nan")])) == [c[4]!])
    }

    @Test(arguments: TestBackend.available)
    func hyperparameterFiltersMatchTheNumberNotTheSpelling(_ backend: TestBackend) throws {
        let (t, c) = try Self.fixture(backend)
        let expected = [c[2]!, c[1]!, c[4]!]  // stored as 0.0001, 1e-04 and 0.0001
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "lr=1e-4")])) == expected)
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "hp.lr=0.0001")])) == expected)
        #expect(try order(t, TopQuery(metric: "trace", filters: [Filter(parsing: "lr>=0.0005")])).count == 4)
    }

    @Test(arguments: TestBackend.available)
    func anUnknownMetricFailsAndNamesTheClosestValidOnes(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let error = #expect(throws: IndexError.self) { try t.index.top(TopQuery(metric: "trce")) }
        guard case .unknownName(let suggestions) = error?.kind else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(suggestions.first == "trace")
        #expect(error?.message.contains("did you mean 'trace'") == true)
        #expect(error?.isUsageError == true)
        let lambda = #expect(throws: IndexError.self) { try t.index.top(TopQuery(metric: "lambda_mx")) }
        #expect(lambda?.message.contains("did you mean 'lambda_max'") == true)
    }

    @Test(arguments: TestBackend.available)
    func anUnknownFilterKeyOrABadConditionFails(_ backend: TestBackend) throws {
        let (t, _) = try Self.fixture(backend)
        let key = #expect(throws: IndexError.self) { try t.index.top(TopQuery(metric: "trace", filters: [Filter(parsing: "optimzer=sam")])) }
        #expect(key?.message.contains("did you mean 'optimizer'") == true)
        #expect(throws: IndexError.self) { try Filter(parsing: "optimizer") }
        #expect(throws: IndexError.self) { try Filter(parsing: "=sam") }
        let text = #expect(throws: IndexError.self) { try t.index.top(TopQuery(metric: "trace", filters: [Filter(parsing: "trace>big")])) }
        #expect(text?.kind == .invalidQuery)
        #expect(throws: IndexError.self) { try t.index.top(TopQuery(metric: "trace", filters: [Filter(parsing: "epoch>ten")])) }
    }

    @Test func filterSyntaxParses() throws {
        #expect(try Filter(parsing: "lambda_max>=10") == Filter(key: "lambda_max", op: .greaterOrEqual, values: ["10"]))
        #expect(try Filter(parsing: "model == vgg-mini") == Filter(key: "model", op: .equal, values: ["vgg-mini"]))
        #expect(try Filter(parsing: "optimizer in sam,asam") == Filter(key: "optimizer", op: .oneOf, values: ["sam", "asam"]))
        #expect(try Filter(parsing: "path=/a=b") == Filter(key: "path", op: .equal, values: ["/a=b"]))
        #expect(try Filter(parsing: "trace!=1") == Filter(key: "trace", op: .notEqual, values: ["1"]))
        #expect(try Filter(parsing: "path=/runs in may/x") == Filter(key: "path", op: .equal, values: ["/runs in may/x"]))
    }
}
