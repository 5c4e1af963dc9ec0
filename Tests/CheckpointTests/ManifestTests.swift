import Foundation
import Hashing
import JSON
import Testing

@testable import Checkpoint

/// manifest.json: a versioned, documented schema that refuses what it cannot read.
struct ManifestTests {
    static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object))
    }

    /// The fixture manifest as a mutable JSON object.
    static func fixtureObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(Fixtures.manifest().jsonBytes())) as! [String: Any]
    }

    @Test func encodesAndDecodesToAnEqualManifest() throws {
        var manifest = Fixtures.manifest()
        manifest.tensors = [.init(file: "model.safetensors", name: "w", dtype: "F32", shape: [2, 3])]
        manifest.files = ["history.csv": .init(bytes: 3, sha256: String(repeating: "0", count: 64))]
        let decoded = try Manifest.decode(manifest.jsonBytes())
        #expect(decoded.manifestSHA256.count == 64)
        manifest.manifestSHA256 = decoded.manifestSHA256
        #expect(decoded == manifest)
    }

    @Test func usesTheDocumentedFieldNames() throws {
        let object = try Self.fixtureObject()
        #expect(
            Set(object.keys) == [
                "format", "formatVersion", "runID", "createdAt", "software", "model", "dataset", "optimizer",
                "training",
                "tensors", "files", "manifestSHA256",
            ])
        #expect(object["format"] as? String == "sharp-checkpoint")
        #expect(object["formatVersion"] as? Int == 1)
        let dataset = object["dataset"] as? [String: Any]
        #expect(Set(dataset?.keys.map { $0 } ?? []) == ["spec", "fingerprint", "splitSeed", "trainCount", "testCount"])
        let training = object["training"] as? [String: Any]
        #expect(
            Set(training?.keys.map { $0 } ?? []) == [
                "epoch", "step", "seed", "trainLoss", "trainAccuracy", "elapsedSeconds", "stopReason",
            ])
    }

    @Test func freeFormValuesRoundTripThroughJSONValue() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", true, nil], "b": ["nested": ["deep": -3]], "c": "", "d": false]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(value["b"]?["nested"]?["deep"]?.numberValue == -3)
    }

    @Test func aDivergedLossIsWrittenAsTheStringNaN() throws {
        var manifest = Fixtures.manifest()
        manifest.training.trainLoss = .nan
        manifest.training.elapsedSeconds = .infinity
        let text = String(decoding: try manifest.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""trainLoss" : "NaN""#))
        let diverged = try Manifest.decode(manifest.jsonBytes())
        #expect(diverged.training.trainLoss.isNaN && diverged.training.elapsedSeconds == .infinity)
    }

    @Test func aNewerFormatVersionAsksForAnUpgrade() throws {
        var object = try Self.fixtureObject()
        let newer = Manifest.currentFormatVersion + 1
        object["formatVersion"] = newer
        object["training"] = "a shape this Sharp does not know"
        let error = checkpointError { _ = try Manifest.decode(Self.json(object), source: "store/run7.ckpt.tar.zst") }
        #expect(error?.reason == .newerFormat(version: newer))
        #expect(
            error?.description
                == "store/run7.ckpt.tar.zst (manifest.json): written by a newer Sharp (format \(newer)); upgrade Sharp")
    }

    @Test func anotherFormatNameIsRefused() throws {
        var object = try Self.fixtureObject()
        object["format"] = "mlflow-model"
        let error = checkpointError { _ = try Manifest.decode(Self.json(object)) }
        #expect(error?.description.contains("manifest format is 'mlflow-model', not 'sharp-checkpoint'") == true)
    }

    @Test func aMissingFieldIsNamedByItsPath() throws {
        var object = try Self.fixtureObject()
        var training = object["training"] as! [String: Any]
        training["epoch"] = nil
        object["training"] = training
        let error = checkpointError { _ = try Manifest.decode(Self.json(object)) }
        #expect(error?.description.contains(#"missing field "training.epoch""#) == true, "\(error?.description ?? "")")
    }

    @Test func aWrongTypeIsNamedByItsPath() throws {
        var object = try Self.fixtureObject()
        object["tensors"] = [["file": "model.safetensors", "name": "w", "dtype": "F32", "shape": "3"]]
        let error = checkpointError { _ = try Manifest.decode(Self.json(object)) }
        #expect(error?.description.contains(#"field "tensors[0].shape""#) == true, "\(error?.description ?? "")")
    }

    @Test func textThatIsNotJSONIsReportedAsSuch() {
        let error = checkpointError { _ = try Manifest.decode(Array("{\"format\": ".utf8)) }
        #expect(
            error?.description.contains("invalid manifest.json (not valid JSON") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func theManifestDigestCoversEveryByteButItself() throws {
        let bytes = try Fixtures.manifest().jsonBytes()
        let manifest = try Manifest.decode(bytes)
        #expect(manifest.digestMatches(bytes))
        // Python's recipe (docs/checkpoint-format.md): replace the digest with zeros, hash.
        let text = String(decoding: bytes, as: UTF8.self)
        let blank = text.replacingOccurrences(of: manifest.manifestSHA256, with: String(repeating: "0", count: 64))
        #expect(SHA256.hex(of: Array(blank.utf8)) == manifest.manifestSHA256)
        var edited = bytes
        edited[edited.firstRange(of: Array("vgg-mini".utf8))!.lowerBound] = UInt8(ascii: "w")
        #expect(!manifest.digestMatches(edited))
    }
}
