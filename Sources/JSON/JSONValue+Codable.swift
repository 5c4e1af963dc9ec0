extension JSONValue: Codable {
    /// Decodes whichever JSON type is present; every number becomes `.number`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    /// Encodes the value as the matching JSON type (an ordered object as a plain one). `.raw`
    /// text has no Codable form and throws; `JSONValueEncoder` keeps it as it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .orderedObject(let members):
            try container.encode(Dictionary(members, uniquingKeysWith: { _, last in last }))
        case .raw(let text):
            throw EncodingError.invalidValue(
                text, .init(codingPath: encoder.codingPath, debugDescription: "raw JSON text has no Codable form"))
        }
    }
}
