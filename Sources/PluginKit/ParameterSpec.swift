import JSON

/// One hyperparameter a plugin accepts: name, type, default and bounds.
///
/// The list of specs is the plugin's contract: it becomes the JSON Schema in the descriptor (which
/// `sharp plugins` lists and the host validates user values against), and `Hyperparameters`
/// fills in the defaults from it.
public struct ParameterSpec: Sendable {
    /// A hyperparameter value (the host handles the same type, as `HyperparameterValue`).
    public typealias Value = JSONScalar

    /// The JSON type of a hyperparameter.
    public enum Kind: Sendable, Equatable {
        /// A real number (JSON number).
        case number
        /// A whole number (JSON integer).
        case integer
        /// true or false.
        case boolean
        /// One of the given strings.
        case choice([String])
    }

    /// Key, snake_case (`rho`, `weight_decay`).
    public let name: String
    /// Type.
    public let kind: Kind
    /// Default; `.null` means "off" or "chosen by another parameter" (say which in the summary).
    public let defaultValue: Value
    /// Inclusive lower bound for numbers.
    public let minimum: Double?
    /// Inclusive upper bound for numbers.
    public let maximum: Double?
    /// Exclusive upper bound for numbers.
    public let exclusiveMaximum: Double?
    /// One sentence for `sharp plugins` and the schema's `description`.
    public let summary: String

    /// A real number; `default: nil` makes it nullable with default null.
    public static func number(_ name: String, default value: Double?, minimum: Double? = nil, maximum: Double? = nil,
                              below: Double? = nil, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .number, defaultValue: value.map(Value.number) ?? .null, minimum: minimum,
                      maximum: maximum, exclusiveMaximum: below, summary: summary)
    }

    /// A whole number.
    public static func integer(_ name: String, default value: Int, minimum: Int? = nil, maximum: Int? = nil, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .integer, defaultValue: .number(Double(value)), minimum: minimum.map(Double.init),
                      maximum: maximum.map(Double.init), exclusiveMaximum: nil, summary: summary)
    }

    /// A boolean switch.
    public static func flag(_ name: String, default value: Bool, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .boolean, defaultValue: .boolean(value), minimum: nil, maximum: nil, exclusiveMaximum: nil, summary: summary)
    }

    /// One of several named variants.
    public static func choice(_ name: String, _ options: [String], default value: String, _ summary: String) -> ParameterSpec {
        precondition(options.contains(value), "choice \(name): default \(value) is not one of \(options)")
        return ParameterSpec(name: name, kind: .choice(options), defaultValue: .string(value), minimum: nil, maximum: nil,
                             exclusiveMaximum: nil, summary: summary)
    }

    /// Checks one value against the type and bounds; returns it normalised.
    func validate(_ value: Value) throws -> Value {
        let bad = { (why: String) in PluginError.invalidArgument("hyperparameter \(name) = \(value): \(why)") }
        switch (kind, value) {
        case (.number, .null), (.integer, .null):
            guard defaultValue == .null else { throw bad("must be a number") }
            return .null
        case (.number, .number(let x)), (.integer, .number(let x)):
            guard x.isFinite else { throw bad("must be finite") }
            if kind == .integer, x.rounded() != x { throw bad("must be a whole number") }
            if let m = minimum, x < m { throw bad("must be ≥ \(JSONValue.number(m).text)") }
            if let m = maximum, x > m { throw bad("must be ≤ \(JSONValue.number(m).text)") }
            if let m = exclusiveMaximum, x >= m { throw bad("must be < \(JSONValue.number(m).text)") }
            return value
        case (.boolean, .boolean): return value
        case (.choice(let options), .string(let s)):
            guard options.contains(s) else { throw bad("must be one of \(options.joined(separator: ", "))") }
            return value
        default:
            throw bad("expected \(kind.jsonType)")
        }
    }
}

extension ParameterSpec.Kind {
    /// The JSON Schema `type` keyword.
    var jsonType: String {
        switch self {
        case .number: return "number"
        case .integer: return "integer"
        case .boolean: return "boolean"
        case .choice: return "string"
        }
    }
}

extension ParameterSpec {
    /// The JSON Schema of a parameter list, as the descriptor carries it. Properties keep their
    /// declaration order in `x-order` (JSON objects are unordered).
    public static func schemaJSON(_ specs: [ParameterSpec]) -> String {
        var properties: [String: JSONValue] = [:]
        for spec in specs {
            let type = JSONValue.string(spec.kind.jsonType)
            var fields: [String: JSONValue] = [
                "type": spec.defaultValue == .null ? [type, "null"] : type, "default": spec.defaultValue.json,
                "description": .string(spec.summary),
            ]
            if case .choice(let options) = spec.kind { fields["enum"] = .array(options.map(JSONValue.string)) }
            if let m = spec.minimum { fields["minimum"] = .number(m) }
            if let m = spec.maximum { fields["maximum"] = .number(m) }
            if let m = spec.exclusiveMaximum { fields["exclusiveMaximum"] = .number(m) }
            properties[spec.name] = .object(fields)
        }
        let schema: JSONValue = [
            "type": "object", "additionalProperties": false, "properties": .object(properties),
            "x-order": .array(specs.map { .string($0.name) }),
        ]
        return schema.text
    }
}
