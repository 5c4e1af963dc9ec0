import Foundation
import Hashing
import Tensor
import Testing

@testable import Checkpoint

/// Writing then reading a checkpoint gives back every tensor bit for bit, in every compression.
struct CheckpointRoundTripTests {
    @Test(arguments: CheckpointCompression.allCases)
    func everyTensorRoundTripsBitExact(compression: CheckpointCompression) throws {
        let directory = TemporaryDirectory()
        let original = Fixtures.small()
        let path = directory.file("run7-e0040.ckpt.tar.zst")
        try original.write(to: path, compression: compression)
        let read = try Checkpoint.read(from: path)
        #expect(Fixtures.identical(read, original))
        #expect(read.manifest.tensors.count == original.modelTensors.count + original.optimizerTensors.count)
        #expect(
            read.manifest.tensors.first
                == .init(file: "model.safetensors", name: "features.0.weight", dtype: "F32", shape: [16, 1, 3, 3]))
        #expect(directory.listing() == ["run7-e0040.ckpt.tar.zst"])
    }

    @Test(arguments: CheckpointCompression.allCases)
    func aMillionElementTensorRoundTripsBitExact(compression: CheckpointCompression) throws {
        var values = Values(state: 3)
        var checkpoint = Fixtures.small()
        checkpoint.modelTensors.append(NamedTensor("big.weight", values.tensor([1000, 1000])))
        checkpoint.optimizerTensors.append(NamedTensor("big.exp_avg", values.tensor([1001, 999], .float64)))
        let bytes = try checkpoint.archiveBytes(compression: compression)
        let read = try Checkpoint.read(bytes: bytes, source: "big.ckpt")
        #expect(Fixtures.identical(read, checkpoint))
    }

    @Test(arguments: [
        (CheckpointCompression.zstd, [0x28, 0xb5, 0x2f, 0xfd] as [UInt8]), (.gzip, [0x1f, 0x8b]),
    ])
    func compressedArchivesStartWithTheirMagicNumber(compression: CheckpointCompression, magic: [UInt8]) throws {
        let bytes = try Fixtures.small().archiveBytes(compression: compression)
        #expect(Array(bytes.prefix(magic.count)) == magic)
    }

    @Test func anUncompressedArchiveIsAPlainUstarTar() throws {
        let bytes = try Fixtures.small().archiveBytes(compression: .none)
        #expect(String(decoding: bytes[0..<13], as: UTF8.self) == "manifest.json")
        #expect(String(decoding: bytes[257..<262], as: UTF8.self) == "ustar")
        let mode = String(decoding: bytes[100..<108], as: UTF8.self).trimmingCharacters(in: .init(charactersIn: " \0"))
        #expect(Int(mode, radix: 8) == 0o644)
        #expect(bytes.count % 512 == 0)
    }

    @Test(arguments: CheckpointCompression.allCases)
    func theSameCheckpointAlwaysGivesTheSameBytes(compression: CheckpointCompression) throws {
        let first = try Fixtures.small().archiveBytes(compression: compression)
        let second = try Fixtures.small().archiveBytes(compression: compression)
        #expect(first == second)
    }

    @Test func contentHashIsTheSHA256OfTheFileAndSurvivesACopy() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("a.ckpt.tar.zst")
        try Fixtures.small().write(to: path)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let hash = try Checkpoint.contentHash(of: path)
        #expect(hash == SHA256.hex(of: bytes))
        try FileManager.default.copyItem(atPath: path, toPath: directory.file("renamed.ckpt.tar.zst"))
        #expect(try Checkpoint.contentHash(of: directory.file("renamed.ckpt.tar.zst")) == hash)
        #expect(try Checkpoint.contentHash(of: path) != SHA256.hex(of: try Fixtures.small(seed: 2).archiveBytes()))
    }

    @Test func rewritingReplacesTheFileWholesale() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("latest.ckpt.tar.zst")
        try Fixtures.small(seed: 1).write(to: path)
        try Fixtures.small(seed: 2).write(to: path, compression: .gzip)
        #expect(Fixtures.identical(try Checkpoint.read(from: path), Fixtures.small(seed: 2)))
        #expect(directory.listing() == ["latest.ckpt.tar.zst"])
    }

    @Test func entriesPrefixedWithDotSlashAreAccepted() throws {
        let entries = try Fixtures.small().entryBytes().map {
            ArchiveEntry(name: "./" + $0.name, kind: .file($0.bytes))
        }
        let read = try Checkpoint.read(bytes: try ArchiveWriter.archive(entries, compression: .none))
        #expect(Fixtures.identical(read, Fixtures.small()))
    }

    @Test func nonFiniteWeightsAreReadWhenTheCallerAllowsThem() throws {
        let checkpoint = Fixtures.small()
        checkpoint.modelTensors[1].tensor.pointer(Float.self)[3] = .nan
        let bytes = try checkpoint.archiveBytes()
        let error = checkpointError { _ = try Checkpoint.read(bytes: bytes, source: "nan.ckpt") }
        #expect(
            error?.description.hasPrefix("nan.ckpt (model.safetensors): tensor 'features.0.bias' has 1 NaN/Inf values")
                == true)
        let read = try Checkpoint.read(bytes: bytes, allowNonFinite: true)
        #expect(read.modelTensors[1].tensor.doubles[3].isNaN)
    }

    @Test func temporaryNamesAreRecognisedSoScannersCanSkipThem() {
        let temporary = AtomicFile.temporaryPath(for: "/store/run7.ckpt.tar.zst")
        #expect(temporary.hasPrefix("/store/.run7.ckpt.tar.zst.tmp-\(getpid())-"))
        #expect(Checkpoint.isTemporaryFileName(String(temporary.split(separator: "/").last!)))
        #expect(!Checkpoint.isTemporaryFileName("run7.ckpt.tar.zst"))
    }
}
