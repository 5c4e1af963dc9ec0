import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// The executable end to end: exit codes, stdout vs stderr, no ANSI in pipes, help everywhere.
@Suite(.enabled(if: SharpQProcess.isAvailable, "build sharpq first (swift build --build-tests)"))
struct SharpQCommandTests {
    @Test func versionNamesTheReleaseAndCommit() throws {
        let result = try SharpQProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0.") && result.stdout.contains("(commit "), "\(result.stdout)")
    }

    @Test func anUnknownMetricExits2NamingTheClosestAndPrintsNoRows() throws {
        let (t, _) = try TopQueryTests.fixture(.sqlite)
        let result = try SharpQProcess.run(["top", "--metric", "trce", "--store", t.directory])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("did you mean 'trace'"))
    }

    @Test func topInAPipeIsFullPrecisionTSVWithoutEscapesAndTruncationOnStderr() throws {
        let (t, _) = try TopQueryTests.fixture(.sqlite)
        let piped = try SharpQProcess.run(["top", "--metric", "trace", "--limit", "3", "--store", t.directory])
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("checkpoint\tcreated_at\trun_id\tmodel\toptimizer\tseed\tepoch\ttrace\tstderr\tplugin_version\tprovenance\n"))
        #expect(piped.stdout.split(separator: "\n").count == 4)
        #expect(!piped.stdout.contains("\u{1B}"))
        #expect(piped.stderr == "… 4 more (use --limit N, or --limit 0 for all)\n")
        let noColor = try SharpQProcess.run(
            ["top", "--metric", "trace", "--format", "table", "--store", t.directory], environment: ["NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}") && noColor.stdout.contains("largest first"))
        let forced = try SharpQProcess.run(["top", "--metric", "trace", "--format", "table", "--color", "always", "--store", t.directory])
        #expect(forced.stdout.contains("\u{1B}["))
        let again = try SharpQProcess.run(["top", "--metric", "trace", "--limit", "3", "--store", t.directory])
        #expect(again.stdout == piped.stdout)
    }

    @Test func showAcceptsAUniquePrefixAndRejectsAnAmbiguousOne() throws {
        let t = try TestIndex()
        try t.checkpoint(1, hashPrefix: "3fa9")
        try t.checkpoint(2, hashPrefix: "3f11")
        let ok = try SharpQProcess.run(["show", "3fa9", "--format", "json", "--store", t.directory])
        #expect(ok.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(object?["sha256"] as? String == TestIndex.hash(1, prefix: "3fa9"))
        #expect((object?["hyperparameters"] as? [String: Any])?["lr"] as? Double == 0.0001)
        let ambiguous = try SharpQProcess.run(["show", "3f", "--store", t.directory])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("3fa9") && ambiguous.stderr.contains("3f11"))
    }

    @Test func sqlIsReadOnlyAndBindsParameters() throws {
        let (t, _) = try TopQueryTests.fixture(.sqlite)
        let delete = try SharpQProcess.run(["sql", "DELETE FROM metrics", "--store", t.directory])
        #expect(delete.status != 0 && delete.stderr.contains("read-only"))
        #expect(try t.count("SELECT count(*) FROM metrics") == 8)
        let select = try SharpQProcess.run(
            ["sql", "SELECT count(*) AS n FROM metric_values WHERE name = :name AND value > :v", "-p", "name", "trace",
             "-p", "v", "1", "--format", "csv", "--store", t.directory])
        #expect(select.status == 0 && select.stdout == "n\n4\n")
    }

    @Test func compareWarnsAboutUnpairedSeedsOnStderrAndPrintsThePaperLayout() throws {
        let t = try CompareTests.fixture(.sqlite)
        let result = try SharpQProcess.run(["compare", "--rows", "optimizer", "--metric", "test_acc", "--format", "md", "--store", t.directory])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("| optimizer | test_acc | Δtest_acc vs adam |"))
        #expect(result.stdout.contains("| adam | 0.8000 ± 0.0497 (n=3) | baseline |"))
        #expect(result.stderr.contains("warning: sam, test_acc: seed(s) 4 only in sam"))
    }

    @Test func everyCommandHasHelpAndAMissingIndexIsAFailure() throws {
        for command in ["top", "list", "runs", "show", "metrics", "compare", "jobs", "status", "export", "sql"] {
            let help = try SharpQProcess.run([command, "--help"])
            #expect(help.status == 0 && help.stdout.contains("--format"), "\(command)")
        }
        let missing = try SharpQProcess.run(["list", "--store", "/nonexistent-store"])
        #expect(missing.status == 1 && missing.stderr.contains("no index"))
        let badWhere = try SharpQProcess.run(["list", "--where", "optimizer", "--store", "/nonexistent-store"])
        #expect(badWhere.status != 0)
    }
}
