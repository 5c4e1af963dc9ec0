import Foundation
import Tensor
import Testing

@testable import Checkpoint

/// Hostile and corrupt archives, each refused with its own one-line reason naming the file,
/// and none of them able to create a file anywhere.
struct HostileArchiveTests {
    static func file(_ header: String, _ data: [UInt8]) -> [UInt8] { SafeTensorsTests.file(header, data: data) }
    static let f32 = [UInt8](repeating: 0, count: 8)

    static let containerCases: [HostileCase] = [
        .leading(
            "parent-directory name", "entry '../evil' has an absolute path or a '..' component",
            ArchiveEntry(name: "../evil", kind: .file(Array("pwned".utf8)))),
        .leading(
            "absolute name", "entry '/tmp/evil' has an absolute path", ArchiveEntry(name: "/tmp/evil", kind: .file([1]))
        ),
        .leading(
            "'..' in the middle", "'a/../../evil' has an absolute path or a '..' component",
            ArchiveEntry(name: "a/../../evil", kind: .file([1]))),
        .leading(
            "symlink", "entry 'evil' is a symbolic link to '/etc/passwd'",
            ArchiveEntry(name: "evil", kind: .symlink(target: "/etc/passwd"))),
        .leading(
            "symlink named like an entry", "entry 'history.csv' is a symbolic link",
            ArchiveEntry(name: "history.csv", kind: .symlink(target: "../../evil"))),
        .extra(
            "hardlink", "entry 'evil' is a hard link to 'manifest.json'",
            [ArchiveEntry(name: "evil", kind: .hardlink(target: "manifest.json"))]),
        .leading(
            "hardlink out of the archive", "is a hard link to '/etc/shadow'",
            ArchiveEntry(name: "model.safetensors", kind: .hardlink(target: "/etc/shadow"))),
        .extra(
            "duplicate manifest", "entry 'manifest.json' appears twice",
            [ArchiveEntry(name: "manifest.json", kind: .file(Array("{}".utf8)))]),
        .extra(
            "duplicate via ./", "entry 'model.safetensors' appears twice",
            [ArchiveEntry(name: "./model.safetensors", kind: .file([]))]),
        .leading(
            "directory entry", "entry 'evil/' is a directory, not a regular file",
            ArchiveEntry(name: "evil/", kind: .directory)),
        .leading("FIFO entry", "entry 'pipe' is a FIFO, not a regular file", ArchiveEntry(name: "pipe", kind: .fifo)),
        .extra(
            "unknown pickle entry", "unexpected entry 'model.pt'",
            [ArchiveEntry(name: "model.pt", kind: .file(Array("cos\nsystem\n".utf8)))]),
        .extra(
            "unknown text entry", "unexpected entry 'notes.txt'", [ArchiveEntry(name: "notes.txt", kind: .file([]))]),
        .leading("name with a newline", #"unexpected entry 'a\u{a}b'"#, ArchiveEntry(name: "a\nb", kind: .file([]))),
        HostileCase(
            "header claiming 6 GiB",
            "entry 'model.safetensors' is 6442450944 bytes, over the 4294967296-byte entry limit"
        ) {
            // libarchive's writer pads an entry to its declared size, so this header is built by hand.
            UstarHeader.bytes(name: "model.safetensors", size: 6 << 30) + [1, 2, 3]
        },
        HostileCase(
            "oversize entry", "bytes, over the 1000-byte entry limit", limits: CheckpointReadLimits(maxEntryBytes: 1000)
        ) { CheckpointParts().archive() },
        HostileCase(
            "total over the limit", "entries total more than the 2000-byte limit",
            limits: CheckpointReadLimits(maxTotalBytes: 2000)
        ) {
            CheckpointParts().archive()
        },
        HostileCase("too many entries", "archive has more than 2 entries", limits: CheckpointReadLimits(maxEntries: 2))
        { CheckpointParts().archive() },
        HostileCase(
            "archive over the limit", "over the 100-byte limit", limits: CheckpointReadLimits(maxArchiveBytes: 100)
        ) { CheckpointParts().archive() },
        HostileCase(
            "gzip bomb past a small threshold", "possible decompression bomb",
            limits: CheckpointReadLimits(expansionCheckAfterBytes: 1 << 20)
        ) {
            CheckpointParts().with { $0.model = [UInt8](repeating: 0, count: 8 << 20) }.archive(.gzip)
        },
        .parts("missing manifest", "missing entry 'manifest.json'") { $0.omitted = ["manifest.json"] },
        .parts("missing history", "missing entry 'history.csv'") { $0.omitted = ["history.csv"] },
        .parts("missing optimizer state", "missing entry 'optimizer.safetensors'") {
            $0.omitted = ["optimizer.safetensors"]
        },
        HostileCase("empty file", "truncated archive (the file is empty)") { [] },
        HostileCase("empty tar", "missing entry 'manifest.json'") { [UInt8](repeating: 0, count: 1024) },
        HostileCase("random bytes", "not a tar, tar.gz or tar.zst archive") {
            (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        },
        HostileCase("zip renamed", "not a tar, tar.gz or tar.zst archive") {
            Array("PK\u{3}\u{4}".utf8) + [UInt8](repeating: 7, count: 600)
        },
    ]

    static let contentCases: [HostileCase] = [
        .parts("manifest not JSON", "invalid manifest.json (not valid JSON") {
            $0.manifestBytes = Array("{\"format\": sharp".utf8)
        },
        .parts("manifest is an array", "invalid manifest.json") { $0.manifestBytes = Array("[1, 2]".utf8) },
        .parts("newer format version", "written by a newer Sharp (format \(Manifest.currentFormatVersion + 1)); upgrade Sharp") {
            $0.manifest.formatVersion = Manifest.currentFormatVersion + 1
        },
        .parts("format version zero", "formatVersion 0 does not exist") { $0.manifest.formatVersion = 0 },
        .parts("wrong format name", "manifest format is 'keras-checkpoint'") {
            $0.manifest.format = "keras-checkpoint"
        },
        .parts("missing field", #"invalid manifest.json (no "format" field)"#) {
            $0.manifestBytes = Array(#"{"formatVersion": 1}"#.utf8)
        },
        .parts("no file records", #"no "files" record for model.safetensors"#) {
            $0.manifest.files = [:]
            $0.refreshDigests = false
        },
        .parts("model swapped after the manifest", "'model.safetensors' does not match the sha256 recorded for it") {
            $0.refreshDigests = false
            $0.model = CheckpointParts(Fixtures.small(seed: 5)).model
        },
        .parts("manifest edited after writing", "'manifest.json' does not match the sha256 recorded for it") { parts in
            var text = String(decoding: try! parts.manifest.jsonBytes(), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"epoch\" : 40", with: "\"epoch\" : 41")
            parts.manifestBytes = Array(text.utf8)
        },
        .parts("history not UTF-8", "'history.csv' is not UTF-8 text") { $0.history = [0xff, 0xfe, 0x0a] },
        .parts("header length past the file", "(model.safetensors): safetensors header length 4096 runs past the end") {
            $0.model = SafeTensorsTests.file("{}", length: 4096)
        },
        .parts("overlapping offsets", "(optimizer.safetensors): tensors 'a' and 'b' overlap") {
            $0.optimizer = file(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                f32)
        },
        .parts("gapped offsets", "(model.safetensors): 4 unused bytes before tensor 'g'") {
            $0.model = file(#"{"g":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, f32)
        },
        .parts("shape/bytes mismatch", "tensor 'm' needs 12 bytes for its shape and dtype but data_offsets span 8") {
            $0.model = file(#"{"m":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, f32)
        },
        .parts("F16 weights", "(model.safetensors): tensor 'h' has unsupported dtype 'F16'") {
            $0.model = file(#"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#, f32)
        },
        .parts("NaN weight", "(model.safetensors): tensor 'features.0.bias' has 1 NaN/Inf values (first at element 3)")
        { parts in
            let checkpoint = Fixtures.small()
            checkpoint.modelTensors[1].tensor.pointer(Float.self)[3] = .nan
            parts.model = CheckpointParts(checkpoint).model
        },
        .parts("index shape disagrees", "disagrees with the tensors (the index gives 'features.0.weight' as F32 [99]") {
            $0.manifest.tensors[0].shape = [99]
        },
        .parts("index dtype disagrees", "as F64 [16, 1, 3, 3] but model.safetensors holds F32") {
            $0.manifest.tensors[0].dtype = "F64"
        },
        .parts("index misses a tensor", "model.safetensors holds 'features.0.weight', which the index does not list") {
            $0.manifest.tensors.removeFirst()
        },
        .parts("index lists a phantom", "the index lists 'ghost' but optimizer.safetensors does not hold it") {
            $0.manifest.tensors.append(.init(file: "optimizer.safetensors", name: "ghost", dtype: "F32", shape: [1]))
        },
        .parts("index lists a tensor twice", "the index lists model.safetensors tensor 'scale' twice") {
            $0.manifest.tensors.append(.init(file: "model.safetensors", name: "scale", dtype: "F32", shape: []))
        },
    ]

    @Test(arguments: containerCases + contentCases)
    func hostileArchiveIsRejectedWithItsOwnReasonAndWritesNothing(_ hostile: HostileCase) throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("store"), withIntermediateDirectories: false)
        let path = directory.file("store/hostile.ckpt.tar.zst")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(hostile.make())))

        let error = checkpointError { _ = try Checkpoint.read(from: path, limits: hostile.limits) }
        let text = error?.description ?? ""
        #expect(text.contains(hostile.phrase), "\(hostile.label): \(text)")
        #expect(text.hasPrefix(path), "\(hostile.label): \(text)")
        #expect(!text.contains("\n"), "\(hostile.label): \(text)")

        // Reading never extracts: the store holds only the file we put there, and no "evil" appeared.
        #expect(
            FileManager.default.subpaths(atPath: directory.path)?.sorted() == ["store", "store/hostile.ckpt.tar.zst"])
        let parent = (directory.path as NSString).deletingLastPathComponent
        for place in [parent, FileManager.default.currentDirectoryPath, "/tmp"] {
            #expect(!FileManager.default.fileExists(atPath: place + "/evil"), "\(hostile.label): \(place)/evil")
        }
    }

    @Test func aZstdBombIsRefusedAfterReadingOnlyAFractionOfIt() throws {
        // 256 MiB of zeros packs into a few kB; the default 200:1 guard fires at 64 MiB.
        let bomb = CheckpointParts().with { $0.model = [UInt8](repeating: 0, count: 256 << 20) }.archive(.zstd)
        #expect(bomb.count < 1 << 20)
        let clock = ContinuousClock()
        var error: CheckpointError?
        let elapsed = clock.measure {
            error = checkpointError { _ = try Checkpoint.read(bytes: bomb, source: "bomb.ckpt.tar.zst") }
        }
        #expect(error?.description.contains("possible decompression bomb") == true, "\(error?.description ?? "")")
        #expect(error?.entry == "model.safetensors")
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func thereAreAtLeastFortyEightDistinctCases() {
        let cases = Self.containerCases + Self.contentCases
        #expect(cases.count >= 48)
        #expect(Set(cases.map(\.label)).count == cases.count)
    }
}
