/// A JSON value that is not a container: what a hyperparameter can be. Plugins declare their
/// defaults in it (`ParameterSpec.Value`) and the host handles user values in it
/// (`HyperparameterValue`): one type on both sides of the plugin ABI.
public enum JSONScalar: Sendable, Equatable, CustomStringConvertible {
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

    /// JSON text of the value.
    public var description: String { json.text }

    /// As a user types it: strings unquoted, everything else as JSON.
    public var displayText: String {
        if case .string(let s) = self { return s }
        return description
    }

    /// The number, if this is one.
    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }
}
