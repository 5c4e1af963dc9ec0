import JSON

/// Minimal JSON for hyperparameters: reading one flat object of scalars (writing is
/// `JSONWriter`'s, Sources/JSON/JSONWriter.swift).
///
/// Plugins need no more than this, and keeping Foundation out of PluginKit keeps plugins small
/// and their load time short.
enum JSONText {
    /// Parses `{"key": scalar, ...}`; nested objects and arrays are rejected.
    static func parseFlatObject(_ text: String) throws -> [(String, ParameterSpec.Value)] {
        var p = Parser(bytes: Array(text.utf8))
        return try p.object()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ why: String) -> PluginError {
            PluginError.invalidArgument("hyperparameters JSON, byte \(i): \(why)")
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
            i += 1
        }

        mutating func object() throws -> [(String, ParameterSpec.Value)] {
            try expect(UInt8(ascii: "{"))
            var members: [(String, ParameterSpec.Value)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return members }
            while true {
                skipSpace()
                let key = try string()
                try expect(UInt8(ascii: ":"))
                members.append((key, try value()))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
            skipSpace()
            guard i == bytes.count else { throw fail("text after the object") }
            return members
        }

        mutating func value() throws -> ParameterSpec.Value {
            skipSpace()
            guard i < bytes.count else { throw fail("missing value") }
            for (word, v) in [("true", ParameterSpec.Value.boolean(true)), ("false", .boolean(false)), ("null", .null)] {
                let w = Array(word.utf8)
                if bytes[i...].starts(with: w) { i += w.count; return v }
            }
            if bytes[i] == UInt8(ascii: "\"") { return .string(try string()) }
            let start = i
            while i < bytes.count, "+-.0123456789eE".utf8.contains(bytes[i]) { i += 1 }
            guard let x = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw fail("expected a number, string, boolean or null") }
            return .number(x)
        }

        mutating func string() throws -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            i += 1
            var out: [UInt8] = []
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    i += 1
                    switch bytes[i] {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "u"):
                        guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { throw fail("bad \\u escape") }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                        i += 4
                    default: out.append(bytes[i])
                    }
                } else {
                    out.append(bytes[i])
                }
                i += 1
            }
            guard i < bytes.count else { throw fail("unterminated string") }
            i += 1
            return String(decoding: out, as: UTF8.self)
        }
    }
}
