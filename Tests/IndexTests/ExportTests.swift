import Foundation
import Testing

@testable import Index
@testable import IndexPresentation
@testable import IndexQueries
@testable import Statistics

/// `export`: every checkpoint wide (identity, hp.*, one column per metric) or long (one row per
/// metric with provenance), exact numbers, and streamed output identical to a one-shot render.
struct ExportTests {
    @Test(arguments: TestBackend.available)
    func wideHasIdentityThenHyperparametersThenMetricsInCatalogOrder(_ backend: TestBackend) throws {
        let (t, c) = try TopQueryTests.fixture(backend)
        try t.metric(c[1]!, "custom-plugin", "zeta", 1.5)
        let table = try t.index.export(ExportQuery())
        #expect(Array(table.columns.prefix(CheckpointField.all.count)) == CheckpointField.all.map(\.name))
        #expect(Array(table.columns.suffix(4)) == ["hp.lr", "lambda_max", "trace", "custom-plugin:zeta"])
        #expect(table.rows.count == 7)
        // Newest first, as `list`: checkpoint 6 (minute 6) leads.
        let checkpoint = table.columns.firstIndex(of: "checkpoint")!, trace = table.columns.firstIndex(of: "trace")!
        #expect(table.rows[0][checkpoint] == .text(TestIndex.hash(6)))  // the full hash: exports are joined on it
        let byHash = Dictionary(uniqueKeysWithValues: table.rows.map { (ResultTable.exactText($0[checkpoint]), $0) })
        #expect(byHash[TestIndex.hash(3)]?[trace] == .number(0.5))
        #expect(byHash[TestIndex.hash(5)]?[trace] == .null)  // missing
        #expect(byHash[TestIndex.hash(4)]?[trace].isNaNNumber == true)
        #expect(byHash[TestIndex.hash(1)]?.last == .number(1.5))
        #expect(byHash[TestIndex.hash(2)]?[table.columns.firstIndex(of: "hp.lr")!] == .number(0.0001))
    }

    @Test(arguments: TestBackend.available)
    func wideCSVReadsBackExactlyWithNaNAndEmptyCells(_ backend: TestBackend) throws {
        let (t, c) = try TopQueryTests.fixture(backend)
        try t.metric(c[3]!, "hessian-eigen", "lambda_max", 0.1 + 0.2)
        let csv = try t.index.export(ExportQuery(metrics: ["trace", "lambda_max"])).render(as: .csv).stdout
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        #expect(header.suffix(3) == ["hp.lr", "trace", "lambda_max"])
        let rows = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { (String($0[0]), $0.map(String.init)) })
        #expect(rows[TestIndex.hash(4)]?[header.count - 2] == "NaN")
        #expect(rows[TestIndex.hash(5)]?[header.count - 2] == "")
        #expect(Double(rows[TestIndex.hash(3)]?.last ?? "") == 0.1 + 0.2)  // bit for bit
        #expect(rows[TestIndex.hash(1)]?[header.firstIndex(of: "created_at")!] == "2026-05-01T00:01:00Z")
    }

    @Test(arguments: TestBackend.available)
    func longHasOneRowPerCheckpointAndMetricWithProvenance(_ backend: TestBackend) throws {
        let t = try TestIndex(backend)
        let id = try t.checkpoint(1)
        let key = PluginKey(plugin: "hessian-trace", version: "1.2.0", paramsHash: "p1")
        try t.index.recordResults(
            ScoringResults(metrics: [
                MetricRecord(checkpointID: id, key: key, name: "trace", value: 12.5, standardError: 0.25, hvpCount: 300, seconds: 4.5)
            ]), at: TestIndex.epoch)
        try t.metric(id, "accuracy", "test_acc", 0.75)
        try t.metric(id, "hessian-trace", "trace", 99, version: "1.0.0")  // older version: not current
        try t.checkpoint(2)  // no metrics: no long rows
        let table = try t.index.export(ExportQuery(long: true))
        #expect(table.columns == [
            "checkpoint", "created_at", "run_id", "model", "optimizer", "base_optimizer", "dataset", "seed", "epoch", "step",
            "metric", "plugin", "output", "plugin_version", "params_hash", "value", "stderr", "hvp_count", "seconds", "recorded_at",
        ])
        #expect(table.rows.count == 2)
        #expect(table.rows.map { $0[10] } == [.text("test_acc"), .text("trace")])  // catalog order
        #expect(Array(table.rows[1].suffix(9)) == [
            .text("hessian-trace"), .text("trace"), .text("1.2.0"), .text("p1"), .number(12.5), .number(0.25), .integer(300),
            .number(4.5), .text("2026-05-01T00:00:00Z"),
        ])
    }

    @Test(arguments: TestBackend.available)
    func filtersAndMetricChoiceApplyAndUnknownMetricsListTheValidOnes(_ backend: TestBackend) throws {
        let (t, _) = try TopQueryTests.fixture(backend)
        let sam = try t.index.export(ExportQuery(filters: [Filter(parsing: "optimizer=sam")], metrics: ["trace"]))
        #expect(sam.rows.count == 3 && sam.columns.last == "trace" && !sam.columns.contains("lambda_max"))
        let error = #expect(throws: IndexError.self) { try t.index.exportPlan(ExportQuery(metrics: ["trace,lamda_max"])) }
        #expect(error?.message.contains("did you mean 'lambda_max'") == true && error?.isUsageError == true)
        let field = #expect(throws: IndexError.self) { try t.index.exportPlan(ExportQuery(filters: [Filter(parsing: "modle=x")])) }
        #expect(field?.message.contains("did you mean 'model'") == true)
    }

    @Test(arguments: TestBackend.available)
    func streamedOutputMatchesTheOneShotRenderInEveryMachineFormat(_ backend: TestBackend) throws {
        let (t, _) = try TopQueryTests.fixture(backend)
        for long in [false, true] {
            let query = ExportQuery(long: long)
            let whole = try t.index.export(query)
            let plan = try t.index.exportPlan(query)
            for format in [OutputFormat.csv, .tsv, .jsonl, .json, .table, .md] {
                var text = ""
                let stream = ResultStream(columns: plan.columns, format: format) { text += $0 }
                try t.index.exportRows(plan, batchSize: 2) { stream.append($0) }
                stream.finish()
                #expect(text == whole.render(as: format).stdout, "\(format) long=\(long)")
            }
        }
        // No rows at all is still a valid document.
        var empty = ""
        let stream = ResultStream(columns: ["a"], format: .json) { empty += $0 }
        stream.finish()
        #expect(empty == ResultTable(columns: ["a"], rows: []).render(as: .json).stdout)
    }
}

/// The byte-level quoting the export's speed depends on still quotes what it must.
struct DelimitedFieldTests {
    @Test func csvAndTSVFieldsAreEscapedOnlyWhenNeeded() {
        #expect(ResultTable.csvField("plain text") == "plain text")
        #expect(ResultTable.csvField("a,b") == "\"a,b\"" && ResultTable.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ResultTable.csvField("line\r\nbreak") == "\"line\r\nbreak\"")  // one Character, still quoted
        #expect(ResultTable.tsvField("é plain") == "é plain")
        #expect(ResultTable.tsvField("a\tb\\c\r\n") == "a\\tb\\\\c\\r\\n")
    }
}

extension ResultCell {
    var isNaNNumber: Bool {
        if case .number(let v) = self { return v.isNaN }
        return false
    }
}
