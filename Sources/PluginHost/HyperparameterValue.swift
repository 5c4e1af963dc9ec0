/// A hyperparameter value as the host handles it (from the command line, a manifest or a schema).
public enum HyperparameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case null

    /// JSON text.
    public var description: String {
        switch self {
        case .number(let x):
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .boolean(let b): return b ? "true" : "false"
        case .string(let s): return HyperparameterValue.quoted(s)
        case .null: return "null"
        }
    }

    /// As a user types it: strings unquoted, everything else as JSON.
    public var displayText: String {
        if case .string(let s) = self { return s }
        return description
    }

    /// The number, if this is one.
    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
