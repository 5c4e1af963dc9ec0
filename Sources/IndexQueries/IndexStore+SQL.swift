import Index

extension IndexStore {
    /// Runs one read-only statement (`sharpq sql`) with named parameters bound, never spliced
    /// (`:name`, `@name` or `$name` in the SQL). Statements that would write are refused before
    /// they run, whatever mode the index was opened in.
    public func readOnlyQuery(_ sql: String, parameters: [String: String] = [:]) throws -> ResultTable {
        let values = parameters.mapValues { text -> SQLValue in
            Int64(text).map { .integer($0) } ?? text.filterNumber.map { .real($0) } ?? .text(text)
        }
        let result = try db.readOnlyQuery(sql, named: values)
        return ResultTable(columns: result.columns, rows: result.rows.map { $0.map(ResultCell.init) })
    }
}
