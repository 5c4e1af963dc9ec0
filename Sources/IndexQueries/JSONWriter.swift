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

    /// Compact serialization.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let v): out += v ? "true" : "false"
        case .integer(let v): out += String(v)
        case .number(let v): out += v.isFinite ? NumberText.exact(v) : "null"
        case .string(let v): Self.escape(v, into: &out)
        case .raw(let v): out += v
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                Self.escape(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func escape(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
