import Foundation
import JSON

/// A plugin's hyperparameters as its descriptor's JSON Schema declares them, and the checks the
/// host runs before a plugin sees any value (so errors name the plugin and the key early).
public struct HyperparameterSchema: Sendable {
    /// One declared hyperparameter.
    public struct Property: Sendable {
        /// Key.
        public let name: String
        /// JSON type: number, integer, boolean or string.
        public let type: String
        /// Whether null is allowed (its default is then null).
        public let nullable: Bool
        /// Default value.
        public let defaultValue: HyperparameterValue
        /// Allowed strings, for choices.
        public let choices: [String]?
        /// Inclusive lower bound.
        public let minimum: Double?
        /// Inclusive upper bound.
        public let maximum: Double?
        /// Exclusive upper bound.
        public let exclusiveMaximum: Double?
        /// One sentence.
        public let summary: String
    }

    /// Properties in declaration order.
    public let properties: [Property]

    /// Parses a descriptor's schema (an object schema with `properties` and optional `x-order`).
    public init(json: String) throws {
        guard let data = json.data(using: .utf8), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let props = (root["properties"] ?? [String: Any]()) as? [String: Any] else {
            throw SchemaError("parameter schema is not a JSON object with \"properties\"")
        }
        let order = (root["x-order"] as? [String]) ?? props.keys.sorted()
        guard Set(order) == Set(props.keys) else { throw SchemaError("x-order does not list exactly the properties") }
        properties = try order.map { name in
            guard let p = props[name] as? [String: Any] else { throw SchemaError("property \(name) is not an object") }
            let types = (p["type"] as? [String]) ?? [(p["type"] as? String) ?? "number"]
            guard let type = types.first(where: { $0 != "null" }), ["number", "integer", "boolean", "string"].contains(type) else {
                throw SchemaError("property \(name) has no supported type")
            }
            let value = try Self.value(p["default"], type: type, name: name)
            return Property(name: name, type: type, nullable: types.contains("null"), defaultValue: value, choices: p["enum"] as? [String],
                            minimum: (p["minimum"] as? NSNumber)?.doubleValue, maximum: (p["maximum"] as? NSNumber)?.doubleValue,
                            exclusiveMaximum: (p["exclusiveMaximum"] as? NSNumber)?.doubleValue, summary: (p["description"] as? String) ?? "")
        }
    }

    /// A schema value read as its declared type (Foundation gives NSNumber for numbers and booleans alike).
    private static func value(_ raw: Any?, type: String, name: String) throws -> HyperparameterValue {
        guard let raw, !(raw is NSNull) else { return .null }
        switch type {
        case "boolean": if let n = raw as? NSNumber { return .boolean(n.boolValue) }
        case "string": if let s = raw as? String { return .string(s) }
        default: if let n = raw as? NSNumber { return .number(n.doubleValue) }
        }
        throw SchemaError("default of \(name) is not a \(type)")
    }

    /// Parses a command-line value (`0.05`, `true`, `official`, `null`) as the declared type of `name`.
    public func parse(_ text: String, for name: String) throws -> HyperparameterValue {
        let p = try property(name)
        if text == "null" { return .null }
        switch p.type {
        case "boolean":
            guard let b = ["true": true, "false": false, "1": true, "0": false][text.lowercased()] else { throw SchemaError("\(name) expects true or false, got \(text)") }
            return .boolean(b)
        case "string": return .string(text)
        default:
            guard let x = Double(text) else { throw SchemaError("\(name) expects a number, got \(text)") }
            return .number(x)
        }
    }

    /// Checks user values (unknown keys, types, bounds, choices) and fills in defaults.
    public func resolve(_ values: [String: HyperparameterValue]) throws -> [String: HyperparameterValue] {
        var out: [String: HyperparameterValue] = [:]
        for p in properties { out[p.name] = p.defaultValue }
        for (name, value) in values {
            let p = try property(name)
            switch (p.type, value) {
            case (_, .null): guard p.nullable else { throw SchemaError("\(name) cannot be null") }
            case ("boolean", .boolean), ("string", .string): break
            case ("number", .number(let x)), ("integer", .number(let x)):
                guard x.isFinite else { throw SchemaError("\(name) must be finite") }
                if p.type == "integer", x.rounded() != x { throw SchemaError("\(name) must be a whole number, got \(x)") }
                if let m = p.minimum, x < m { throw SchemaError("\(name) = \(value) must be ≥ \(HyperparameterValue.number(m))") }
                if let m = p.maximum, x > m { throw SchemaError("\(name) = \(value) must be ≤ \(HyperparameterValue.number(m))") }
                if let m = p.exclusiveMaximum, x >= m { throw SchemaError("\(name) = \(value) must be < \(HyperparameterValue.number(m))") }
            default: throw SchemaError("\(name) expects a \(p.type), got \(value)")
            }
            if let choices = p.choices, case .string(let s) = value, !choices.contains(s) {
                throw SchemaError("\(name) must be one of \(choices.joined(separator: ", ")), got \(s)")
            }
            out[name] = value
        }
        return out
    }

    /// Values as one JSON object, in declaration order (metric job keys hash this text,
    /// Sources/Scoring/MetricJobKey.swift).
    public func json(_ values: [String: HyperparameterValue]) -> String {
        JSONValue.orderedObject(properties.compactMap { p in values[p.name].map { (p.name, $0.json) } }).text
    }

    /// Whether `name` is declared.
    public func declares(_ name: String) -> Bool { properties.contains { $0.name == name } }

    private func property(_ name: String) throws -> Property {
        guard let p = properties.first(where: { $0.name == name }) else {
            throw SchemaError("unknown hyperparameter \(name) (known: \(properties.map(\.name).joined(separator: ", ")))")
        }
        return p
    }
}

/// A schema or hyperparameter problem; wrapped with the plugin's name by the caller.
struct SchemaError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
