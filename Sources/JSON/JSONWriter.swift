/// The one JSON writer of Sharp: manifests, safetensors headers, index columns, metric job keys,
/// plan files, sharpq and every `--format json` go through it, so the same value is the same
/// bytes everywhere, on every toolchain (no Foundation; Tests/JSONTests/JSONWriterTests.swift pins
/// the bytes).
///
/// - Objects: keys sorted by Unicode code point (UTF-8 byte order); `.orderedObject` keeps its order.
/// - Strings: `"` `\` and the control characters escaped (`\n` `\t` `\r` `\b` `\f`, the others
///   `\u00XX` in lower case); everything else as raw UTF-8, `/`, DEL and U+2028 included.
/// - Numbers: `.integer` in decimal. A finite `.number` is Swift's shortest round-trip form
///   (`0.1`, `1e-05`, `1.2345678901234568e+17`) without a trailing `.0` (`16`, as JSONEncoder
///   writes), and zero is `0` whatever its sign. NaN and ±infinity are `null` unless `nonFinite`
///   names strings for them.
/// - Layout: compact, or `pretty`: one member or element per line, two spaces per level,
///   `"key" : value`, empty containers as `[]` and `{}`.
public struct JSONWriter: Sendable {
    /// How NaN and ±infinity are written (JSON has no spelling for them).
    public enum NonFiniteNumbers: Sendable, Equatable {
        /// `null`: valid JSON every reader takes, but the value is lost.
        case null
        /// These strings, for formats whose readers turn them back into numbers.
        case strings(nan: String, infinity: String, negativeInfinity: String)
    }

    /// One line per member or element, indented, instead of compact text.
    public var pretty: Bool
    /// What NaN and ±infinity become.
    public var nonFinite: NonFiniteNumbers

    /// A writer; the default is compact, with non-finite numbers as `null`.
    public init(pretty: Bool = false, nonFinite: NonFiniteNumbers = .null) {
        self.pretty = pretty
        self.nonFinite = nonFinite
    }

    /// `value` as UTF-8 bytes.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, depth: 0, into: &out)
        return out
    }

    /// `value` as text.
    public func text(_ value: JSONValue) -> String { String(decoding: bytes(value), as: UTF8.self) }

    private func write(_ value: JSONValue, depth: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let x): writeNumber(x, into: &out)
        case .string(let s): Self.writeString(s, into: &out)
        case .raw(let text): out.append(contentsOf: text.utf8)
        case .array(let elements):
            writeContainer(open: 0x5B, close: 0x5D, count: elements.count, depth: depth, into: &out) { i, out in
                write(elements[i], depth: depth + 1, into: &out)
            }
        case .object(let members):
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            writeMembers(sorted.map { ($0.key, $0.value) }, depth: depth, into: &out)
        case .orderedObject(let members):
            writeMembers(members, depth: depth, into: &out)
        }
    }

    private func writeMembers(_ members: [(String, JSONValue)], depth: Int, into out: inout [UInt8]) {
        writeContainer(open: 0x7B, close: 0x7D, count: members.count, depth: depth, into: &out) { i, out in
            Self.writeString(members[i].0, into: &out)
            out.append(contentsOf: (pretty ? " : " : ":").utf8)
            write(members[i].1, depth: depth + 1, into: &out)
        }
    }

    /// Brackets, separators and (when pretty) line breaks and indentation around `count` items.
    private func writeContainer(
        open: UInt8, close: UInt8, count: Int, depth: Int, into out: inout [UInt8],
        item: (Int, inout [UInt8]) -> Void
    ) {
        out.append(open)
        for i in 0..<count {
            if i > 0 { out.append(0x2C) }
            if pretty { newline(depth: depth + 1, into: &out) }
            item(i, &out)
        }
        if pretty, count > 0 { newline(depth: depth, into: &out) }
        out.append(close)
    }

    private func newline(depth: Int, into out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }

    private func writeNumber(_ x: Double, into out: inout [UInt8]) {
        guard x.isFinite else {
            switch nonFinite {
            case .null: out.append(contentsOf: "null".utf8)
            case .strings(let nan, let infinity, let negativeInfinity):
                Self.writeString(x.isNaN ? nan : x > 0 ? infinity : negativeInfinity, into: &out)
            }
            return
        }
        if x == 0 {
            out.append(0x30)
            return
        }
        // Swift's description is the shortest text that reads back as `x`, and always a valid
        // JSON number: `1e-05`, `5e-324`, `1.7976931348623157e+308`.
        var text = x.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out.append(contentsOf: text.utf8)
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for byte in s.utf8 {
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
                out.append(byte)
                continue
            }
            out.append(0x5C)
            switch byte {
            case 0x22, 0x5C: out.append(byte)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default: out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            }
        }
        out.append(0x22)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10 }
}
