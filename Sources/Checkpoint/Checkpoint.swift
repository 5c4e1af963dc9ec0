import Foundation
import Hashing

/// One training checkpoint: the manifest, the model's and the optimizer's tensors, and the
/// per-epoch history. On disk it is a tar archive (`NAME.ckpt.tar.zst` by convention) holding
/// exactly `manifest.json`, `model.safetensors`, `optimizer.safetensors` and `history.csv`;
/// docs/checkpoint-format.md describes every byte a reader needs.
public struct Checkpoint: Sendable {
    /// The conventional file-name suffix.
    public static let fileExtension = ".ckpt.tar.zst"

    /// Run, model, data, optimizer and training state, plus the tensor index.
    public var manifest: Manifest
    /// Parameters and buffers, PyTorch-style dotted names.
    public var modelTensors: [NamedTensor]
    /// Optimizer state (moments, step counts), so training resumes bit-exactly.
    public var optimizerTensors: [NamedTensor]
    /// `history.csv`: one header line, then one line per epoch.
    public var history: String

    /// A checkpoint of these parts; `manifest.tensors` and `manifest.files` are recomputed
    /// whenever it is written, so they always describe the tensors actually stored.
    public init(manifest: Manifest, modelTensors: [NamedTensor], optimizerTensors: [NamedTensor], history: String) {
        self.manifest = manifest
        self.modelTensors = modelTensors
        self.optimizerTensors = optimizerTensors
        self.history = history
    }

    /// Writes the checkpoint to `path` atomically: a reader sees the old file (or none) until
    /// the new one is complete and on disk, never a partial file.
    ///
    /// - Throws: `CheckpointError`, e.g. `.noSpace` ("no space left on device writing PATH").
    public func write(to path: String, compression: CheckpointCompression = .zstd) throws {
        let bytes: [UInt8]
        do {
            bytes = try archiveBytes(compression: compression)
        } catch let error as CheckpointError {
            throw CheckpointError(path: path, entry: error.entry, reason: error.reason)
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// The archive as it would be written to disk.
    public func archiveBytes(compression: CheckpointCompression = .zstd) throws -> [UInt8] {
        // The creation time doubles as every entry's mtime, so equal checkpoints are equal bytes.
        let time = (try? Date(manifest.createdAt, strategy: .iso8601)).map { Int($0.timeIntervalSince1970) } ?? 0
        let entries = try entryBytes().map {
            ArchiveEntry(name: $0.name, kind: .file($0.bytes), modificationTime: time)
        }
        return try ArchiveWriter.archive(entries, compression: compression)
    }

    /// The four entries' contents, in archive order, with the manifest's index and file
    /// records computed from the other three.
    func entryBytes() throws -> [(name: String, bytes: [UInt8])] {
        let metadata = ["format": "pt", "producer": "sharp"]
        let model = try SafeTensors.encode(modelTensors, metadata: metadata)
        let optimizer = try SafeTensors.encode(optimizerTensors, metadata: metadata)
        let historyBytes = Array(history.utf8)
        var stored = manifest
        stored.formatVersion = manifest.requiredFormatVersion
        stored.tensors = Self.tensorIndex(model: modelTensors, optimizer: optimizerTensors)
        stored.files = [
            CheckpointArchive.modelName: Self.record(model),
            CheckpointArchive.optimizerName: Self.record(optimizer),
            CheckpointArchive.historyName: Self.record(historyBytes),
        ]
        return [
            (CheckpointArchive.manifestName, try stored.jsonBytes()), (CheckpointArchive.modelName, model),
            (CheckpointArchive.optimizerName, optimizer), (CheckpointArchive.historyName, historyBytes),
        ]
    }

    /// The lowercase hex sha256 of the file's bytes: the key the index stores a checkpoint
    /// under, so a copied or renamed checkpoint is recognised and not scored again.
    public static func contentHash(of path: String) throws -> String {
        var hasher = SHA256()
        try FileIO.forEachChunk(of: path) { hasher.update($0) }
        return SHA256.hexString(hasher.finalize())
    }

    /// True for the hidden temp files a writer uses (`.NAME.tmp-PID-RANDOM`). They are
    /// incomplete by definition (one is left behind only if a writer was killed): scanners
    /// must skip them and may delete old ones.
    public static func isTemporaryFileName(_ name: String) -> Bool {
        AtomicFile.isTemporaryName(name)
    }

    /// The manifest's index of the tensors in both safetensors entries, in file order.
    static func tensorIndex(model: [NamedTensor], optimizer: [NamedTensor]) -> [Manifest.TensorRecord] {
        let files = [(CheckpointArchive.modelName, model), (CheckpointArchive.optimizerName, optimizer)]
        return files.flatMap { file, tensors in
            tensors.map {
                Manifest.TensorRecord(
                    file: file, name: $0.name, dtype: $0.tensor.dtype.safetensorsName, shape: $0.tensor.shape)
            }
        }
    }

    static func record(_ bytes: [UInt8]) -> Manifest.FileRecord {
        Manifest.FileRecord(bytes: bytes.count, sha256: SHA256.hex(of: bytes))
    }
}

/// The fixed layout of a checkpoint archive.
enum CheckpointArchive {
    static let manifestName = "manifest.json"
    static let modelName = "model.safetensors"
    static let optimizerName = "optimizer.safetensors"
    static let historyName = "history.csv"
    /// Every entry, in the order they are written.
    static let entryNames = [manifestName, modelName, optimizerName, historyName]
}
