import Index

/// The JSON of the queries in each backend's terms. Hyperparameters are stored as JSON text;
/// SQLite reads it with `json_extract`/`json_each`, PostgreSQL through `jsonb`.
extension SQLDialect {
    /// The hyperparameters a query sees, as one flat JSON object: the manifest's
    /// `optimizer.hyperparameters` (`expression`, SQL) with the nested `hyperparameters` (the
    /// plugin's own values, as `sharp train` writes them) and `base_hyperparameters` (those of the
    /// base a SAM-family plugin wraps) lifted to the top. On a clash the top level wins, then the
    /// plugin's own, then the base's: `rho`, `lr` and `learning_rate` all resolve for a SAM run.
    func flatHyperparameters(_ expression: String) -> String {
        switch self {
        case .sqlite:
            return """
                json_patch(json_patch(coalesce(json_extract(\(expression), '$.base_hyperparameters'), '{}'), \
                coalesce(json_extract(\(expression), '$.hyperparameters'), '{}')), \
                json_remove(\(expression), '$.hyperparameters', '$.base_hyperparameters'))
                """
        case .postgres:
            // Each part only if it is an object, so a null or odd value cannot fail the query. Unlike
            // json_patch, a key set to null stays (as null) instead of removing the key below it.
            let object = "CAST(\(expression) AS jsonb)"
            func part(_ json: String) -> String { "(CASE WHEN jsonb_typeof(\(json)) = 'object' THEN \(json) ELSE '{}' END)" }
            return """
                (\(part("\(object) -> 'base_hyperparameters'")) || \(part("\(object) -> 'hyperparameters'")) \
                || \(part("(\(object) - 'hyperparameters' - 'base_hyperparameters')")))
                """
        }
    }

    /// `object`'s value at `key` as SQL and the parameter that names the key: numbers compare as
    /// numbers and text as text in both backends (PostgreSQL compares `jsonb` values).
    func jsonValue(_ object: String, key: String) -> (sql: String, key: SQLValue) {
        switch self {
        case .sqlite: return ("json_extract(\(object), ?)", .text("$.\"\(key)\""))
        case .postgres: return ("(\(object) -> CAST(? AS TEXT))", .text(key))
        }
    }

    /// True where `object`'s value at `key` is a JSON number.
    func jsonIsNumber(_ object: String, key: String) -> (sql: String, key: SQLValue) {
        switch self {
        case .sqlite: return ("json_type(\(object), ?) IN ('integer', 'real')", .text("$.\"\(key)\""))
        case .postgres: return ("jsonb_typeof(\(object) -> CAST(? AS TEXT)) = 'number'", .text(key))
        }
    }

    /// `jsonValue` as plain SQL text or number, for group labels (PostgreSQL gives text).
    func jsonScalar(_ object: String, key: String) -> (sql: String, key: SQLValue) {
        switch self {
        case .sqlite: return jsonValue(object, key: key)
        case .postgres: return ("(\(object) ->> CAST(? AS TEXT))", .text(key))
        }
    }

    /// A filter value to compare with a `jsonValue`: SQLite compares the bound value itself;
    /// PostgreSQL compares `jsonb` with `jsonb`.
    func jsonComparand(_ value: SQLValue) -> String {
        switch (self, value) {
        case (.sqlite, _): return "?"
        case (.postgres, .integer), (.postgres, .real): return "to_jsonb(CAST(? AS DOUBLE PRECISION))"
        case (.postgres, .text("true")), (.postgres, .text("false")): return "to_jsonb(CAST(? AS BOOLEAN))"
        case (.postgres, _): return "to_jsonb(CAST(? AS TEXT))"
        }
    }

    /// A set-returning source of `object`'s keys, to join as `AS j` (column `key`).
    func jsonKeys(_ object: String) -> String {
        switch self {
        case .sqlite: return "json_each(\(object)) AS j"
        case .postgres: return "jsonb_each(\(object)) AS j"
        }
    }

    /// Each key of `object` with its JSON type, named as SQLite's `json_each` names them
    /// (`integer`, `real`, `text`, `true`, `false`, `null`, `object`, `array`), and its value in
    /// the one of three columns (integer, real, text) that fits the type.
    func jsonEntries(_ object: String) -> String {
        switch self {
        case .sqlite:
            return """
                SELECT key, type, CASE type WHEN 'integer' THEN value END, CASE type WHEN 'real' THEN value END, \
                CASE WHEN type IN ('text', 'object', 'array') THEN value END FROM json_each(\(object))
                """
        case .postgres:
            let text = "(value #>> '{}')"
            // Integers that fit 64 bits, as SQLite types them; larger ones and exponents are real.
            let isInteger = "(jsonb_typeof(value) = 'number' AND \(text) ~ '^-?[0-9]{1,18}$')"
            return """
                SELECT key, CASE WHEN \(isInteger) THEN 'integer' WHEN jsonb_typeof(value) = 'number' THEN 'real' \
                WHEN jsonb_typeof(value) = 'string' THEN 'text' WHEN jsonb_typeof(value) = 'boolean' THEN \(text) \
                ELSE jsonb_typeof(value) END, \
                CASE WHEN \(isInteger) THEN CAST(\(text) AS BIGINT) END, \
                CASE WHEN jsonb_typeof(value) = 'number' AND NOT \(isInteger) THEN CAST(\(text) AS DOUBLE PRECISION) END, \
                CASE WHEN jsonb_typeof(value) IN ('string', 'object', 'array') THEN \(text) END \
                FROM jsonb_each(\(object))
                """
        }
    }

    /// An integer column holding an unsigned 64-bit value by its bit pattern, as unsigned text
    /// where it is negative.
    func unsignedText(_ column: String) -> String {
        switch self {
        case .sqlite: return "CASE WHEN \(column) < 0 THEN printf('%llu', \(column)) ELSE \(column) END"
        case .postgres:
            return "CASE WHEN \(column) < 0 THEN CAST(CAST(\(column) AS NUMERIC) + 18446744073709551616 AS TEXT) ELSE CAST(\(column) AS TEXT) END"
        }
    }
}
