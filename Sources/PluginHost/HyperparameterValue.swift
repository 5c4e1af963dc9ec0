import JSON

/// A hyperparameter value as the host handles it (from the command line, a manifest or a schema).
public enum HyperparameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case null

    /// The value as JSON.
    public var json: JSONValue {
        switch self {
        case .number(let x): .number(x)
        case .boolean(let b): .bool(b)
        case .string(let s): .string(s)
        case .null: .null
        }
    }

    /// JSON text.
    public var description: String { json.text }

    /// As a user types it: strings unquoted, everything else as JSON.
    public var displayText: String {
        if case .string(let s) = self { return s }
        return description
    }

    /// The number, if this is one.
    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }
}
