import Foundation
import JSON
import Testing

/// Codable values become JSON values without Foundation, exactly.
struct JSONValueEncoderTests {
    enum Kind: String, Codable { case sam, adam }

    struct Inner: Codable, Equatable {
        var name: String
        var shape: [Int]
    }

    struct Record: Codable, Equatable {
        var count: Int
        var seed: UInt64
        var small: Int8
        var loss: Double
        var rate: Float
        var kind: Kind
        var comment: String?
        var missing: String?
        var tensors: [Inner]
        var files: [String: Int]
        var free: JSONValue
    }

    static let record = Record(
        count: 3, seed: .max, small: -8, loss: .nan, rate: 0.1, kind: .sam, comment: "a/b é", missing: nil,
        tensors: [Inner(name: "w", shape: [2, 3]), Inner(name: "step", shape: [])], files: ["b": 2, "a": 1],
        free: .orderedObject([("z", .raw("1.0")), ("a", .integer(2))]))

    @Test func encodesEveryFieldExactly() throws {
        let value = try JSONValueEncoder().encode(Self.record)
        #expect(
            value.text
                == #"{"comment":"a/b é","count":3,"files":{"a":1,"b":2},"free":{"z":1.0,"a":2},"kind":"sam","loss":null,"#
                + #""rate":0.1,"seed":18446744073709551615,"small":-8,"#
                + #""tensors":[{"name":"w","shape":[2,3]},{"name":"step","shape":[]}]}"#)
    }

    @Test func readsBackThroughFoundationAsTheSameValue() throws {
        var record = Self.record
        record.loss = 0.25
        record.free = ["z": 1, "a": 2]
        let bytes = JSONWriter(pretty: true).bytes(try JSONValueEncoder().encode(record))
        #expect(try JSONDecoder().decode(Record.self, from: Data(bytes)) == record)
    }

    @Test func nestedAndSuperEncodersFillTheirPlace() throws {
        struct Custom: Encodable {
            enum Key: String, CodingKey { case point, list }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                var point = container.nestedContainer(keyedBy: Key.self, forKey: .point)
                var list = container.nestedUnkeyedContainer(forKey: .list)
                try list.encode(1)
                var pair = list.nestedUnkeyedContainer()
                try pair.encodeNil()
                try pair.encode(true)
                try point.encode("later", forKey: .list)
                try list.encode(2)
                var parent = container.superEncoder().singleValueContainer()
                try parent.encode(UInt8(9))
            }
        }
        #expect(try JSONValueEncoder().encode(Custom()).text == #"{"list":[1,[null,true],2],"point":{"list":"later"},"super":9}"#)
        #expect(try JSONValueEncoder().encode([String]()).text == "[]")
        #expect(try JSONValueEncoder().encode(Optional<Int>.none).text == "null")
    }
}
