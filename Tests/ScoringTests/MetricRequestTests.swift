import Scoring
import Testing

@Suite struct MetricRequestTests {
    @Test func parsesNameAndValues() throws {
        let r = try MetricRequest(parsing: "hessian-eigen:method=power,k=3")
        #expect(r.name == "hessian-eigen")
        #expect(r.values.map(\.key) == ["method", "k"])
        #expect(r.values.map(\.value) == ["power", "3"])
        #expect(r.description == "hessian-eigen:method=power,k=3")
        #expect(try MetricRequest(parsing: "accuracy").values.isEmpty)
    }

    @Test func rejectsMalformedValues() {
        #expect(throws: ScoringError.self) { try MetricRequest(parsing: "hessian-eigen:method") }
        #expect(throws: ScoringError.self) { try MetricRequest(parsing: ":k=1") }
        #expect(throws: ScoringError.self) { try MetricRequest(parsing: "x:k=1,k=2") }
    }
}
