import Foundation
import Tensor
import Testing

@testable import Checkpoint

/// The safetensors codec: bit-exact round trips, the reference layout, and a rejection with
/// its own message for every malformed header the reference reader (or Sharp) refuses.
struct SafeTensorsTests {
    /// A file with `header` as its JSON (unpadded) and `data` as its data section.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian, Array.init) + json + data
    }

    @Test func roundTripIsBitExactForBothDtypesAndAwkwardShapes() throws {
        var values = Values(state: 9)
        let special = values.tensor([6])
        special.pointer(Float.self).update(
            from: [0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude / 2, -1], count: 6)
        let tensors = [
            NamedTensor("a", values.tensor([2, 3])), NamedTensor("b", values.tensor([5], .float64)),
            NamedTensor("scalar", values.tensor([])), NamedTensor("empty", values.tensor([0, 3])),
            NamedTensor("odd", values.tensor([1, 3, 1, 7], .float64)), NamedTensor("special", special),
            NamedTensor("big", values.tensor([1000, 1000])), NamedTensor("ünïcode \"name\"\n", values.tensor([1])),
        ]
        let bytes = try SafeTensors.encode(tensors, metadata: ["format": "pt"])
        let decoded = try SafeTensors.decode(bytes)
        #expect(Fixtures.identical(decoded.tensors, tensors))
        #expect(decoded.metadata == ["format": "pt"])
    }

    @Test func headerIsPaddedWithSpacesToAMultipleOfEightAndIsPlainJSON() throws {
        let bytes = try SafeTensors.encode([NamedTensor("w", Tensor(shape: [3], scalars: [1, 2, 3] as [Float]))])
        let length = Int(UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        #expect(length % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any]
        let entry = header?["w"] as? [String: Any]
        #expect(entry?["dtype"] as? String == "F32")
        #expect(entry?["shape"] as? [Int] == [3])
        #expect(entry?["data_offsets"] as? [Int] == [0, 12])
        #expect(Array(bytes[(8 + length)...]) == [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40])
    }

    @Test func encoderRefusesRepeatedAndReservedNames() {
        let t = Tensor(zeros: [1])
        let repeated = checkpointError { _ = try SafeTensors.encode([NamedTensor("x", t), NamedTensor("x", t)]) }
        #expect(repeated?.description.contains("tensor name 'x' is repeated") == true)
        let reserved = checkpointError { _ = try SafeTensors.encode([NamedTensor("__metadata__", t)]) }
        #expect(reserved?.description.contains("reserved") == true)
    }

    static let f32x2 = [UInt8](repeating: 0, count: 8)

    /// (file, phrase the error must contain): one per check of the reader.
    static let malformed: [(String, [UInt8], String)] = [
        ("shorter than 8 bytes", [1, 2, 3], "shorter than its 8-byte header length"),
        ("length 2^64-1", file("{}", length: .max), "exceeds the 100000000-byte maximum"),
        ("length 100,000,001", file("{}", length: 100_000_001), "exceeds the 100000000-byte maximum"),
        ("length past the file", file("{}", length: 4096), "runs past the end of the"),
        ("invalid UTF-8", [2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe], "header is not UTF-8"),
        ("top-level array", file("[]"), "header is not a JSON object"),
        ("metadata with a number", file(#"{"__metadata__":{"a":1}}"#), "value for 'a' is not a string"),
        ("broken JSON", file(#"{"a":{"dtype":"F32",}"#), "invalid safetensors header"),
        ("trailing garbage", file(#"{} x"#), "unexpected text after the JSON value"),
        ("deep nesting", file(String(repeating: "[", count: 10_000)), "nested deeper than 64 levels"),
        (
            "F16", file(#"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
            "unsupported dtype 'F16'"
        ),
        (
            "BF16", file(#"{"h":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
            "unsupported dtype 'BF16'"
        ),
        (
            "I64", file(#"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: f32x2),
            "unsupported dtype 'I64'"
        ),
        (
            "negative extent", file(#"{"n":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: f32x2),
            "negative extent -2"
        ),
        (
            "fractional extent", file(#"{"n":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: f32x2),
            "extents must be integers"
        ),
        (
            "shape [2^40, 2^40]",
            file(#"{"o":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,8]}}"#, data: f32x2),
            "element count overflows"
        ),
        (
            "shape/bytes mismatch", file(#"{"m":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: f32x2),
            "needs 12 bytes"
        ),
        (
            "end before begin", file(#"{"e":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: f32x2),
            "end 4 is before begin 8"
        ),
        (
            "one offset", file(#"{"e":{"dtype":"F32","shape":[2],"data_offsets":[8]}}"#, data: f32x2),
            "invalid data_offsets"
        ),
        ("no offsets", file(#"{"e":{"dtype":"F32","shape":[2]}}"#, data: f32x2), "has no data_offsets"),
        (
            "past the data", file(#"{"p":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: f32x2),
            "past the 8-byte data section"
        ),
        (
            "overlap",
            file(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: f32x2),
            "tensors 'a' and 'b' overlap"
        ),
        (
            "gap", file(#"{"g":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: f32x2),
            "4 unused bytes before tensor 'g'"
        ),
        (
            "trailing bytes", file(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: f32x2),
            "4 unused bytes after the last tensor"
        ),
        (
            "duplicate name",
            file(
                #"{"d":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"d":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: f32x2),
            "tensor 'd' appears twice"
        ),
        (
            "NaN weight",
            file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0, 0, 0, 0xc0, 0x7f]),
            "tensor 'w' has 1 NaN/Inf values (first at element 1)"
        ),
        (
            "Inf weight (F64)",
            file(#"{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0, 0, 0, 0xf0, 0x7f]),
            "NaN/Inf values"
        ),
    ]

    @Test(arguments: malformed)
    func malformedFilesAreRejectedWithTheirOwnMessage(_ label: String, _ bytes: [UInt8], _ phrase: String) {
        let error = checkpointError { _ = try SafeTensors.decode(bytes, source: "weights/bad.safetensors") }
        let text = error?.description ?? ""
        #expect(text.contains(phrase), "\(label): \(text)")
        #expect(text.hasPrefix("weights/bad.safetensors: "), "\(label): \(text)")
        #expect(!text.contains("\n"), "\(label): one line")
    }

    @Test func nonFiniteValuesAreReadWhenTheCallerAllowsThem() throws {
        let nan = Self.file(
            #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0, 0, 0, 0xc0, 0x7f])
        let contents = try SafeTensors.decode(nan, allowNonFinite: true)
        #expect(contents.tensors.first?.tensor.doubles[1].isNaN == true)
    }

    @Test func tensorsComeBackInDataOrderWhateverTheHeaderOrder() throws {
        let header =
            #"{"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"first":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let contents = try SafeTensors.decode(Self.file(header, data: [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]))
        #expect(contents.tensors.map(\.name) == ["first", "second"])
        #expect(contents.tensors.map { $0.tensor.doubles } == [[1], [2]])
    }
}
