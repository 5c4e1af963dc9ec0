import Checkpoint
import Datasets
import Foundation
import Import
import TestSupport
import Testing
import Training

/// Bad input to `sharp import` gets one line naming the file and the fix, exit code 1, and an
/// untouched store; odd but valid input (F16, BF16, integer counters, wrapper prefixes) is
/// converted and said.
@Suite struct ImportRefusalTests {
    /// Runs the built `sharp import` with `arguments` into a fresh store; returns the result and
    /// the store's files afterwards.
    static func runImport(_ arguments: [String]) throws -> (BuiltExecutable.Result, [String]) {
        let store = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let sharp = try #require(BuiltExecutable.path("sharp"), "build sharp first")
        let result = try BuiltExecutable.run(sharp, ["import"] + arguments + ["--store", store])
        return (result, try FileManager.default.contentsOfDirectory(atPath: store))
    }

    static func expectRefusal(_ arguments: [String], saying phrases: [String]) throws {
        let (result, files) = try runImport(arguments)
        #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
        let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.contains("\n"), "one line: \(message)")
        for phrase in phrases { #expect(message.contains(phrase), "'\(phrase)' not in: \(message)") }
        #expect(files.isEmpty, "nothing written, found \(files)")
    }

    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let folder = try ImportFixtures.temporaryFolder()
        let path = "\(folder)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let data = ["--data", ImportFixtures.path("data.npz")]

    @Test func picklesAndTorchSaveZipsAreRefusedWithTheExport() throws {
        let pickle = try Self.file("model.pt", [0x80, 0x02, 0x63, 0x6F, 0x6C, 0x6C] + [UInt8](repeating: 0x2E, count: 32))
        try Self.expectRefusal([pickle, "--model", "resnet18"] + Self.data,
            saying: ["pickle", "never unpickles", "save_file(model.state_dict()", "torch.load(\"model.pt\", weights_only=True)"])
        let zip = try Self.file("model.pth", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 60))
        try Self.expectRefusal([zip, "--model", "resnet18"] + Self.data, saying: ["zip archive", "torch.save", "save_file"])
        // A .pt name over safetensors bytes is read by its contents.
        let renamed = try Self.file("vit.pt", [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("vit.safetensors")))))
        let (result, files) = try Self.runImport([renamed, "--model", "vit-tiny"] + Self.data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(files.count == 1)
    }

    @Test func missingFilesCorruptHeadersAndUnknownModelsAreOneLine() throws {
        try Self.expectRefusal(["/nonexistent/w.safetensors", "--model", "resnet18"] + Self.data, saying: ["no such file"])
        let truncated = try Self.file("cut.safetensors", Array([UInt8](try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("vit.safetensors"))))[..<4000]))
        try Self.expectRefusal([truncated, "--model", "vit-tiny"] + Self.data, saying: ["cut.safetensors"])
        try Self.expectRefusal([ImportFixtures.path("vit.safetensors"), "--model", "vit-giant"] + Self.data, saying: ["unknown model 'vit-giant'", "resnet18"])
    }

    @Test func wrongArchitectureListsTheKeysAndSuggestsTheClosestModel() throws {
        try Self.expectRefusal([ImportFixtures.path("vit.safetensors"), "--model", "swin_t"] + Self.data,
            saying: ["do not fit swin-t", "missing (", "unexpected (", "--model vit-tiny"])
        // A torchvision ViT of other widths: same keys, other shapes.
        try Self.expectRefusal([ImportFixtures.path("vit.safetensors"), "--model", "vit_b_16"] + Self.data,
            saying: ["do not fit vit-b16", "with another shape", "conv_proj.weight [64, 3, 8, 8] (expected [768, 3, 16, 16])"])
    }

    @Test func aHeadInsideSequentialGetsTheRenameAndPathsStayInTheStore() throws {
        let vit = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("vit.safetensors"))))
        let wrapped = try ImportFixtures.rewritingHeader(vit) { header, _ in
            for key in ["heads.head.weight", "heads.head.bias"] {
                header[key.replacingOccurrences(of: "head.", with: "head.1.")] = header.removeValue(forKey: key)
            }
        }
        let path = try Self.file("wrapped.safetensors", wrapped)
        try Self.expectRefusal([path, "--model", "vit-tiny"] + Self.data,
            saying: ["2 missing", "rename 'heads.head.1.weight' to 'heads.head.weight'"])
        // The run ID names a file: no way out of the store.
        try Self.expectRefusal([ImportFixtures.path("vit.safetensors"), "--model", "vit-tiny", "--run-id", "../escape"] + Self.data,
            saying: ["--run-id '../escape'"])
        // Compressed weights: decompress, not the pickle advice.
        let gz = try Self.file("vit.safetensors.gz", [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 40))
        try Self.expectRefusal([gz, "--model", "vit-tiny"] + Self.data, saying: ["gzip-compressed", "gunzip -k"])
    }

    @Test func flagsThatContradictTheWeightsOrTheDataAreRefused() throws {
        let vit = ImportFixtures.path("vit.safetensors")
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--classes", "3"] + Self.data, saying: ["--classes 3", "has 2 outputs"])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--channels", "1"] + Self.data, saying: ["--channels 1", "takes 3"])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--image-size", "64"] + Self.data, saying: ["--image-size sets 64", "fixes 32"])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--resize", "shorter=72,crop=64"] + Self.data, saying: ["--resize crop=64 sets 64"])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--normalize", "imagnet"] + Self.data, saying: ["expected imagenet, none or mean="])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--normalize", "mean=0.5,std=0.5"] + Self.data, saying: ["give 3 means"])
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--data", "/nonexistent/data"], saying: ["/nonexistent/data: no such folder"])
        // Three class folders of RGB images for a two-class head.
        let folder = try ImportFixtures.temporaryFolder()
        for (k, name) in ["a", "b", "c"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            for i in 0..<2 {
                let samples = (0..<(40 * 30 * 3)).map { UInt8(truncatingIfNeeded: $0 &* (k + 3) &+ i) }
                let png = try PNGCodec.encode(DecodedImage(width: 40, height: 30, channels: 3, samples: samples))
                try Data(png).write(to: URL(fileURLWithPath: "\(folder)/\(name)/\(i).png"))
            }
        }
        try Self.expectRefusal([vit, "--model", "vit-tiny", "--data", folder], saying: ["head has 2 outputs", "3 classes (a, b, c)"])
        // The same folder with two classes imports, cropped as torchvision would.
        try FileManager.default.removeItem(atPath: "\(folder)/c")
        let (result, files) = try Self.runImport([vit, "--model", "vit-tiny", "--data", folder, "--resize", "shorter=36,crop=32", "--normalize", "imagenet"])
        #expect(result.status == 0 && files.count == 1, "\(result.stderr)")
    }

    @Test func anExistingCheckpointIsNeverReplaced() throws {
        let store = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let sharp = try #require(BuiltExecutable.path("sharp"))
        let arguments = ["import", ImportFixtures.path("vit.safetensors"), "--model", "vit-tiny"] + Self.data + ["--store", store]
        #expect(try BuiltExecutable.run(sharp, arguments).status == 0)
        let path = "\(store)/vit-e0000\(Checkpoint.fileExtension)"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let again = try BuiltExecutable.run(sharp, arguments)
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // What the manifest says, and that training cannot resume from it.
        let checkpoint = try Checkpoint.read(from: path)
        let m = checkpoint.manifest
        #expect(m.formatVersion == 2 && m.optimizer.plugin == Manifest.noOptimizer && checkpoint.optimizerTensors.isEmpty)
        let provenance = try #require(m.provenance)
        #expect(provenance.file == "vit.safetensors" && provenance.sha256.count == 64)
        #expect(provenance.conversions.contains("56 F16 tensors converted to float32"))
        #expect(throws: TrainingError.self) { _ = try Trainer.resume(from: path, registry: .init(store: store)) }
        do { _ = try Trainer.resume(from: path, registry: .init(store: store)) } catch {
            #expect("\(error)".contains("no optimizer state"))
        }
    }

    @Test func halfAndBrainFloatAndIntegerTensorsAreConvertedExactly() throws {
        // F16 1.5 = 0x3E00, −2 = 0xC000; BF16 3.0 = 0x4040; I64 7; BOOL 1.
        func le(_ v: UInt64, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let header = #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[],"data_offsets":[4,6]},"# +
            #""c":{"dtype":"I64","shape":[],"data_offsets":[6,14]},"d":{"dtype":"BOOL","shape":[1],"data_offsets":[14,15]}}"#
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        let body = le(0x3E00, 2) + le(0xC000, 2) + le(0x4040, 2) + le(7, 8) + [1]
        let bytes = le(UInt64(headerBytes.count), 8) + headerBytes + body
        let contents = try bytes.withUnsafeBytes { try SafeTensors.decodeForeign($0, source: "t") }
        let values = Dictionary(uniqueKeysWithValues: contents.tensors.map { ($0.name, $0.tensor.doubles) })
        #expect(values["a"] == [1.5, -2] && values["b"] == [3] && values["c"] == [7] && values["d"] == [1])
        #expect(contents.convertedFrom == ["a": "F16", "b": "BF16", "c": "I64", "d": "BOOL"])
        // Sharp's own reader still refuses them.
        #expect(throws: CheckpointError.self) { try SafeTensors.decode(bytes, source: "t") }
    }
}
