/// A JSON value: what Sharp writes (through `JSONWriter`, the one writer) and the free-form
/// parts of a manifest it reads back (a model's config, a dataset spec, an optimizer's settings).
///
/// Decoded numbers are `Double`s, exact for integers up to 2^53; code that must write a larger
/// integer exactly (a UInt64 seed, an index row id) builds `.integer` or `unsigned(_:)`.
public enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number, written exactly.
    case integer(Int64)
    /// Any number; written as `JSONWriter` says (whole values without a fraction, NaN and
    /// infinities as its `nonFinite` option chooses).
    case number(Double)
    /// A string.
    case string(String)
    /// An ordered list.
    case array([JSONValue])
    /// An object; written with its keys sorted by code point, so equal values are equal bytes.
    case object([String: JSONValue])
    /// An object written with its members in this order, for the formats whose member order
    /// is part of the format: a plugin's hyperparameters in declaration order (the metric job
    /// key hashes them so, Sources/Scoring/MetricJobKey.swift), a safetensors header in data
    /// order, sharpq's rows in column order.
    case orderedObject([(String, JSONValue)])
    /// JSON text that was written before (a stored JSON column, a plugin's hyperparameters),
    /// embedded as it is; the caller vouches that it is valid.
    case raw(String)

    /// An unsigned integer, written exactly (a seed above `Int64.max` is embedded as its digits).
    public static func unsigned(_ value: UInt64) -> JSONValue {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : .raw(String(value))
    }

    /// The member named `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let members): members[key]
        case .orderedObject(let members): members.last { $0.0 == key }?.1
        default: nil
        }
    }

    /// The number, when this is one.
    public var numberValue: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The canonical compact text (`JSONWriter()`'s).
    public var text: String { JSONWriter().text(self) }
}

extension JSONValue: Equatable {
    /// Equal when they are the same JSON: numbers compare by value, so `.integer(2)` equals
    /// `.number(2)` (both are written `2`); NaN equals nothing, as in Swift.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): Double(exactly: x) == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)), (.raw(let x), .raw(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x == y
        case (.orderedObject(let x), .orderedObject(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `nil` is JSON `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A Boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal (stored as a `Double`, like a decoded number).
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
