extension SQLiteIndex {
    /// Runs one read-only statement (`sharpq sql`) with named parameters bound, never spliced
    /// (`:name`, `@name` or `$name` in the SQL). Statements that would write are refused before
    /// they run, whatever mode the index was opened in.
    public func readOnlyQuery(_ sql: String, parameters: [String: String] = [:]) throws -> ResultTable {
        let statement = try db.prepareUncached(sql)
        guard statement.isReadOnly else {
            throw IndexError(.readOnly, "sharpq sql runs read-only statements only (SELECT, WITH, read-only PRAGMA)")
        }
        for (name, text) in parameters.sorted(by: { $0.key < $1.key }) {
            let value: SQLValue = Int64(text).map { .integer($0) } ?? text.filterNumber.map { .real($0) } ?? .text(text)
            try statement.bind(value, named: name)
        }
        var rows: [[ResultCell]] = []
        while try statement.step() { rows.append(statement.currentRow().map(ResultCell.init)) }
        return ResultTable(columns: statement.columnNames, rows: rows)
    }
}
