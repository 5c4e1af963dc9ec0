import JSON

/// A JSON value with ordered object keys, so output is byte-identical between runs.
public indirect enum JSONOut: Equatable, Sendable {
    /// null
    case null
    /// true / false
    case bool(Bool)
    /// An integer.
    case integer(Int64)
    /// A double; NaN and ±infinity are written as null (JSON has no spelling for them).
    case number(Double)
    /// A string.
    case string(String)
    /// Already-serialized JSON text (a stored JSON column), embedded as is.
    case raw(String)
    /// An array.
    case array([JSONOut])
    /// An object, keys in the given order.
    case object([(String, JSONOut)])

    public static func == (a: JSONOut, b: JSONOut) -> Bool { a.text == b.text }

    /// Compact serialization, by the one JSON writer (Sources/JSON/JSONWriter.swift).
    public var text: String { json.text }

    /// As the writer's value: objects keep their order (rows follow the columns, and a stream
    /// writes `count` after its rows).
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let v): .bool(v)
        case .integer(let v): .integer(v)
        case .number(let v): .number(v)
        case .string(let v): .string(v)
        case .raw(let v): .raw(v)
        case .array(let items): .array(items.map(\.json))
        case .object(let pairs): .orderedObject(pairs.map { ($0, $1.json) })
        }
    }
}
