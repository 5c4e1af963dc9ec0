import Foundation
import Hashing
import JSON

extension Manifest {
    /// Non-finite numbers (a diverged loss) are written as the strings `"NaN"`, `"Infinity"`,
    /// `"-Infinity"`: plain JSON has no spelling for them, and Python's `json` reads strings.
    private static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

    /// The manifest as pretty-printed JSON with sorted keys (stable bytes for stable hashes; the
    /// layout is `JSONWriter`'s), its `manifestSHA256` filled in.
    public func jsonBytes() throws -> [UInt8] {
        var blank = self
        blank.manifestSHA256 = Self.blankDigest
        var bytes = try blank.encodedWithoutDigest()
        let digest = Array(SHA256.hex(of: bytes).utf8)
        // The top-level key sorts after every nested object, so the first zeros after the
        // key's first appearance at indentation 2 are its value.
        guard let key = bytes.firstRange(of: Array("\n  \"manifestSHA256\"".utf8)),
            let value = bytes[key.upperBound...].firstRange(of: Array(Self.blankDigest.utf8))
        else {
            throw CheckpointError(
                path: "<memory>", entry: CheckpointArchive.manifestName,
                reason: .invalidManifest("manifestSHA256 not written"))
        }
        bytes.replaceSubrange(value, with: digest)
        return bytes
    }

    /// True when `bytes` (the manifest this value was decoded from) hash to `manifestSHA256`.
    func digestMatches(_ bytes: [UInt8]) -> Bool {
        let digest = Array(manifestSHA256.utf8)
        guard digest.count == 64, digest.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return false
        }
        // The 64 hex digits appear nowhere else unless copied there; replace every copy.
        var blank = bytes
        let zeros = Array(Self.blankDigest.utf8)
        var searchStart = blank.startIndex
        while let range = blank[searchStart...].firstRange(of: digest) {
            blank.replaceSubrange(range, with: zeros)
            searchStart = range.upperBound
        }
        return SHA256.hex(of: blank) == manifestSHA256
    }

    private static let blankDigest = String(repeating: "0", count: 64)

    private func encodedWithoutDigest() throws -> [UInt8] {
        let spellings = Self.nonFinite
        let writer = JSONWriter(
            pretty: true,
            nonFinite: .strings(nan: spellings.nan, infinity: spellings.positive, negativeInfinity: spellings.negative))
        do {
            return writer.bytes(try JSONValueEncoder().encode(self)) + [0x0a]
        } catch {
            throw CheckpointError(
                path: "<memory>", entry: CheckpointArchive.manifestName, reason: .invalidManifest("\(error)"))
        }
    }

    /// Parses `manifest.json`, checking the format name and version before anything else so
    /// a newer file says "upgrade" rather than "missing field".
    ///
    /// - Throws: `CheckpointError` (`.wrongFormat`, `.newerFormat`, `.invalidManifest`) naming `source`.
    public static func decode(_ bytes: [UInt8], source: String = "<memory>") throws -> Manifest {
        func fail(_ reason: CheckpointError.Reason) -> CheckpointError {
            CheckpointError(path: source, entry: CheckpointArchive.manifestName, reason: reason)
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        let data = Data(bytes)
        let probe: FormatProbe
        do {
            probe = try decoder.decode(FormatProbe.self, from: data)
        } catch {
            throw fail(.invalidManifest(Self.explain(error, data: data)))
        }
        guard let format = probe.format else { throw fail(.invalidManifest("no \"format\" field")) }
        guard format == formatName else { throw fail(.wrongFormat(found: format)) }
        guard let version = probe.formatVersion else { throw fail(.invalidManifest("no \"formatVersion\" field")) }
        guard version <= currentFormatVersion else { throw fail(.newerFormat(version: version)) }
        guard version >= 1 else { throw fail(.invalidManifest("formatVersion \(version) does not exist")) }
        do {
            return try decoder.decode(Manifest.self, from: data)
        } catch {
            throw fail(.invalidManifest(Self.explain(error, data: data)))
        }
    }

    /// Just enough of any manifest, old or new, to decide whether to read the rest.
    private struct FormatProbe: Decodable {
        var format: String?
        var formatVersion: Int?
    }

    /// A one-line account of a decoding failure: which field, and what was wrong with it.
    static func explain(_ error: any Error, data: Data) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        guard let error = error as? DecodingError else { return oneLine("\(error)") }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "the top level is not a JSON object" }
            return "field \"\(path(context.codingPath))\" is not \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "field \"\(path(context.codingPath))\" is null, expected \(typeName(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // JSONDecoder does not say where the syntax error is; JSONSerialization does.
                return "not valid JSON: \(oneLine(syntaxErrorDetail(data) ?? context.debugDescription))"
            }
            return "field \"\(path(context.codingPath))\": \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine("\(error)")
        }
    }

    private static func syntaxErrorDetail(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a Boolean"
        case is [Any].Type: "an array"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
