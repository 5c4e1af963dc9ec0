import Foundation
import JSON

extension JSONValue {
    /// Any Codable value as JSON (configurations recorded in a manifest).
    init<T: Encodable>(encoding value: T) throws {
        self = try JSONValueEncoder().encode(value)
    }

    /// JSON text parsed into a value (a plugin's resolved hyperparameters).
    init(parsing text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// This value decoded as `T` (a configuration read back from a manifest).
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
