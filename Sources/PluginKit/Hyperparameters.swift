import JSON

/// A plugin's hyperparameters: the host's JSON object checked against the plugin's specs, with
/// every missing value taken from its default.
public struct Hyperparameters: Sendable {
    private var values: [String: ParameterSpec.Value]
    /// The specs the values were checked against, in declaration order.
    public let specs: [ParameterSpec]

    /// Parses and checks a JSON object; unknown keys and wrong types are errors naming the key.
    public init(json: String, specs: [ParameterSpec]) throws {
        self.specs = specs
        values = [:]
        for spec in specs { values[spec.name] = spec.defaultValue }
        let text = json.isEmpty ? "{}" : json
        for (key, value) in try JSONText.parseFlatObject(text) {
            guard let spec = specs.first(where: { $0.name == key }) else {
                let known = specs.map(\.name).joined(separator: ", ")
                throw PluginError.invalidArgument("unknown hyperparameter \(key) (known: \(known.isEmpty ? "none" : known))")
            }
            values[key] = try spec.validate(value)
        }
    }

    /// The value of `name`, a declared parameter.
    public subscript(_ name: String) -> ParameterSpec.Value {
        guard let v = values[name] else { preconditionFailure("hyperparameter \(name) is not declared in the plugin's parameters") }
        return v
    }

    /// A number that has no null default.
    public func number(_ name: String) -> Double {
        guard case .number(let x) = self[name] else { preconditionFailure("hyperparameter \(name) is not a number") }
        return x
    }

    /// A nullable number: nil when null.
    public func optionalNumber(_ name: String) -> Double? {
        if case .number(let x) = self[name] { return x }
        return nil
    }

    /// A whole number.
    public func integer(_ name: String) -> Int { Int(number(name)) }

    /// A boolean.
    public func flag(_ name: String) -> Bool {
        guard case .boolean(let b) = self[name] else { preconditionFailure("hyperparameter \(name) is not a boolean") }
        return b
    }

    /// A choice or string.
    public func string(_ name: String) -> String {
        guard case .string(let s) = self[name] else { preconditionFailure("hyperparameter \(name) is not a string") }
        return s
    }

    /// Every value, as one JSON object in declaration order (what a manifest records).
    public var json: String {
        JSONValue.orderedObject(specs.map { ($0.name, self[$0.name].json) }).text
    }
}
