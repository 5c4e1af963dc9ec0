import Foundation
import JSON
import Testing

/// The bytes of the one JSON writer, pinned: a change here changes manifests, index columns and
/// metric job keys, so it must be deliberate.
struct JSONWriterTests {
    @Test func objectKeysAreSortedByCodePoint() {
        let keys = ["b", "a", "B", "_", "é", "z", "😀", "ä", "aa", "", "～", "a\u{0}"]
        let value = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, .integer(Int64($0))) }))
        // Code-point order: "～" (U+FF5E) before "😀" (U+1F600), where UTF-16 order would swap them.
        #expect(value.text == #"{"":9,"B":2,"_":3,"a":1,"a\u0000":11,"aa":8,"b":0,"z":5,"ä":7,"é":4,"～":10,"😀":6}"#)
    }

    @Test func everyControlCharacterIsEscaped() {
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        #expect(
            JSONValue.string(controls).text
                == #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
                + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#)
    }

    @Test func quotesAndBackslashesAreEscapedAndEverythingElseIsRawUTF8() {
        let text = "say \"hi\" C:\\dir a/b \u{7F} \u{2028}\u{2029} é 中文 😀 e\u{301}"
        #expect(JSONValue.string(text).text == "\"say \\\"hi\\\" C:\\\\dir a/b \u{7F} \u{2028}\u{2029} é 中文 😀 e\u{301}\"")
        #expect(Array(JSONValue.string("é😀").text.utf8) == [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    @Test func integersAreExact() {
        #expect(JSONValue.integer(0).text == "0")
        #expect(JSONValue.integer(-42).text == "-42")
        #expect(JSONValue.integer(.max).text == "9223372036854775807")
        #expect(JSONValue.integer(.min).text == "-9223372036854775808")
        #expect(JSONValue.unsigned(7) == .integer(7))
        #expect(JSONValue.unsigned(.max).text == "18446744073709551615")
    }

    @Test func doublesAreShortestRoundTripWithoutATrailingPointZero() {
        let cases: [(Double, String)] = [
            (1, "1"), (-1, "-1"), (100, "100"), (16, "16"), (0, "0"), (-0.0, "0"), (0.1, "0.1"), (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"), (1e-4, "0.0001"), (1e-5, "1e-05"), (1e-7, "1e-07"), (1e-08, "1e-08"),
            (12345678.9, "12345678.9"), (1e15, "1000000000000000"), (1e16, "1e+16"), (1e21, "1e+21"),
            (123_456_789_012_345_680, "1.2345678901234568e+17"), (6.02214076e23, "6.02214076e+23"),
            (.leastNonzeroMagnitude, "5e-324"), (.leastNormalMagnitude, "2.2250738585072014e-308"),
            (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-.greatestFiniteMagnitude, "-1.7976931348623157e+308"),
        ]
        for (value, text) in cases { #expect(JSONValue.number(value).text == text, "\(value)") }
    }

    @Test func nonFiniteNumbersAreNullOrTheChosenStrings() {
        let value: JSONValue = [.number(.nan), .number(.infinity), .number(-.infinity), .number(-.nan)]
        #expect(value.text == "[null,null,null,null]")
        let manifest = JSONWriter(nonFinite: .strings(nan: "NaN", infinity: "Infinity", negativeInfinity: "-Infinity"))
        #expect(manifest.text(value) == #"["NaN","Infinity","-Infinity","NaN"]"#)
    }

    @Test func everyFiniteDoubleIsValidJSONThatReadsBackExactly() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Double(bitPattern: state)
            guard x.isFinite else { continue }
            let text = JSONValue.number(x).text
            #expect(Double(text) == x, "\(x) written as \(text)")
            #expect(try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) is NSNumber, "\(text)")
        }
    }

    @Test func containersNestAndEmptyOnesStayOnOneLine() {
        let value: JSONValue = [
            "list": [[], [1, [2.5, nil]], ["x": true]], "empty": [:], "flag": false, "nested": ["inner": ["deep": "y"]],
        ]
        #expect(value.text == #"{"empty":{},"flag":false,"list":[[],[1,[2.5,null]],{"x":true}],"nested":{"inner":{"deep":"y"}}}"#)
        #expect(JSONValue.array([]).text == "[]" && JSONValue.object([:]).text == "{}")
    }

    @Test func prettyIndentsTwoSpacesPerLevel() {
        let value: JSONValue = ["b": [1, [], ["c": nil]], "a": "x", "e": [:]]
        #expect(
            JSONWriter(pretty: true).text(value) == """
                {
                  "a" : "x",
                  "b" : [
                    1,
                    [],
                    {
                      "c" : null
                    }
                  ],
                  "e" : {}
                }
                """)
        #expect(JSONWriter(pretty: true).text(.string("s")) == #""s""#)
    }

    @Test func orderedObjectsKeepTheirOrderAndRawTextIsEmbeddedAsIs() {
        let value = JSONValue.orderedObject([("z", 1), ("a", .raw(#"{"kept" : [1.0]}"#)), ("m", .orderedObject([]))])
        #expect(value.text == #"{"z":1,"a":{"kept" : [1.0]},"m":{}}"#)
        #expect(value["a"] == .raw(#"{"kept" : [1.0]}"#) && value["none"] == nil)
    }

    @Test func equalityIsThatOfTheJSON() {
        #expect(JSONValue.integer(2) == .number(2))
        #expect(JSONValue.number(-0.0) == .number(0))
        #expect(JSONValue.integer(.max) != .number(Double(Int64.max)))
        #expect(JSONValue.number(.nan) != .number(.nan))
        #expect(JSONValue.object(["a": 1]) != .orderedObject([("a", 1)]))
        #expect(JSONValue.orderedObject([("a", 1), ("b", 2)]) != .orderedObject([("b", 2), ("a", 1)]))
        #expect(JSONValue.integer(3).numberValue == 3 && JSONValue.string("3").numberValue == nil)
    }

    @Test func decodedValuesWriteAsTheyWereRead() throws {
        let text = #"{"a":[1,2.5,"x",true,null],"b":{"nested":{"deep":-3}},"c":"","d":false}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value.text == text)
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(JSONValue.raw("1")) }
    }
}
