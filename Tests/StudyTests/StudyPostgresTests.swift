import Foundation
import Index
import Testing

@testable import Study

/// `sharp study --index postgres://…`: the same session, its results in PostgreSQL; the report
/// equals the one written from SQLite, table for table.
struct StudyPostgresTests {
    @Test func aStudyScoredIntoPostgreSQLReportsWhatTheSameStudyOnSQLiteReports() throws {
        guard let server = ProcessInfo.processInfo.environment["SHARP_TEST_POSTGRES_URL"] else {
            #expect(ProcessInfo.processInfo.environment["SHARP_TEST_REQUIRE_POSTGRES"] == nil, "no PostgreSQL server given")
            return
        }
        let schema = "s_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try PostgresDatabase(url: server).run("CREATE SCHEMA \(schema)")
        defer { _ = try? PostgresDatabase(url: server).run("DROP SCHEMA \(schema) CASCADE") }
        let url = server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"

        // One store, trained once: the SQLite session trains and scores, the PostgreSQL one finds
        // the cell finished and scores the same checkpoint into the server.
        let store = try StudyFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        var tables: [String] = []
        for index in [nil, IndexLocation.postgres(url: url)] {
            var session = StudySession(plan: StudyRunTests.tinyPlan(), store: store, index: index)
            session.scoring = .inProcess
            session.landscapes = false
            let summary = try session.run()
            #expect(summary.trained == (index == nil ? 1 : 0) && summary.route == .inProcess)
            let md = try String(contentsOfFile: store + "/study/tiny/report/report.md", encoding: .utf8)
            // From the first table on: the header names the time and the store.
            tables.append(String(md[(md.range(of: "## ")?.lowerBound ?? md.startIndex)...]))
        }
        #expect((try PostgresDatabase(url: url).scalar("SELECT count(*) FROM metrics").int64 ?? 0) > 0)
        #expect(tables[0] == tables[1])
    }
}
