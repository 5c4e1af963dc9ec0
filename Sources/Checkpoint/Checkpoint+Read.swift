import Hashing

extension Checkpoint {
    /// Reads and fully validates the checkpoint at `path`, in memory (nothing is extracted).
    ///
    /// Refused, each with its own `CheckpointError`: files over the `limits`, anything but a
    /// tar (optionally gzip or zstd compressed), entries that are absolute, contain `..`,
    /// are links or not regular files, repeated, unknown or missing entries, a manifest of
    /// another format or a newer version, entries whose sha256 differs from the manifest's,
    /// malformed safetensors, a tensor index that disagrees with the tensors, and (unless
    /// `allowNonFinite`) NaN or infinite values.
    public static func read(
        from path: String, limits: CheckpointReadLimits = .default, allowNonFinite: Bool = false
    ) throws -> Checkpoint {
        let bytes = try FileIO.readAll(path, maxBytes: limits.maxArchiveBytes)
        return try read(bytes: bytes, source: path, limits: limits, allowNonFinite: allowNonFinite)
    }

    /// Reads and validates a checkpoint archive held in memory; `source` names it in errors.
    public static func read(
        bytes: [UInt8], source: String = "<memory>", limits: CheckpointReadLimits = .default,
        allowNonFinite: Bool = false
    ) throws -> Checkpoint {
        let entries = try bytes.withUnsafeBytes { buffer in
            try ArchiveReader(
                buffer: buffer, source: source, allowedNames: Set(CheckpointArchive.entryNames), limits: limits
            ).readEntries()
        }
        for name in CheckpointArchive.entryNames where entries[name] == nil {
            throw CheckpointError(path: source, reason: .missingEntry(name: name))
        }
        let manifestBytes = entries[CheckpointArchive.manifestName]!
        let manifest = try Manifest.decode(manifestBytes, source: source)
        guard manifest.digestMatches(manifestBytes) else {
            throw CheckpointError(path: source, reason: .checksumMismatch(name: CheckpointArchive.manifestName))
        }

        for name in CheckpointArchive.entryNames.dropFirst() {
            guard let record = manifest.files[name] else {
                throw CheckpointError(
                    path: source, entry: CheckpointArchive.manifestName,
                    reason: .invalidManifest("no \"files\" record for \(name)"))
            }
            let data = entries[name]!
            guard record.bytes == data.count, record.sha256 == SHA256.hex(of: data) else {
                throw CheckpointError(path: source, reason: .checksumMismatch(name: name))
            }
        }

        func tensors(_ name: String) throws -> [NamedTensor] {
            do {
                return try SafeTensors.decode(entries[name]!, source: source, allowNonFinite: allowNonFinite).tensors
            } catch let error as CheckpointError {
                throw error.located(path: source, entry: name)
            }
        }
        let model = try tensors(CheckpointArchive.modelName)
        let optimizer = try tensors(CheckpointArchive.optimizerName)
        if let disagreement = indexDisagreement(
            manifest.tensors, tensorIndex(model: model, optimizer: optimizer))
        {
            throw CheckpointError(path: source, reason: .manifestMismatch(disagreement))
        }
        guard let history = String(validating: entries[CheckpointArchive.historyName]!, as: UTF8.self) else {
            throw CheckpointError(path: source, reason: .invalidText(name: CheckpointArchive.historyName))
        }
        return Checkpoint(manifest: manifest, modelTensors: model, optimizerTensors: optimizer, history: history)
    }

    /// The manifest (its text and its decoded form) and the history of the checkpoint at `path`,
    /// each checked against the manifest's hashes, without keeping or decoding the tensors (their
    /// entries are skipped): what a page about the checkpoint shows. The archive is refused as
    /// `read` refuses it (limits, entry names, links, versions).
    public static func readManifestAndHistory(
        from path: String, limits: CheckpointReadLimits = .default
    ) throws -> (manifest: Manifest, manifestText: String, history: String) {
        let bytes = try FileIO.readAll(path, maxBytes: limits.maxArchiveBytes)
        let entries = try bytes.withUnsafeBytes { buffer in
            try ArchiveReader(
                buffer: buffer, source: path, allowedNames: Set(CheckpointArchive.entryNames), limits: limits,
                keep: [CheckpointArchive.manifestName, CheckpointArchive.historyName]
            ).readEntries()
        }
        guard let manifestBytes = entries[CheckpointArchive.manifestName] else {
            throw CheckpointError(path: path, reason: .missingEntry(name: CheckpointArchive.manifestName))
        }
        guard let historyBytes = entries[CheckpointArchive.historyName] else {
            throw CheckpointError(path: path, reason: .missingEntry(name: CheckpointArchive.historyName))
        }
        let manifest = try Manifest.decode(manifestBytes, source: path)
        guard manifest.digestMatches(manifestBytes) else {
            throw CheckpointError(path: path, reason: .checksumMismatch(name: CheckpointArchive.manifestName))
        }
        guard let record = manifest.files[CheckpointArchive.historyName], record.bytes == historyBytes.count,
            record.sha256 == SHA256.hex(of: historyBytes)
        else { throw CheckpointError(path: path, reason: .checksumMismatch(name: CheckpointArchive.historyName)) }
        guard let history = String(validating: historyBytes, as: UTF8.self),
            let manifestText = String(validating: manifestBytes, as: UTF8.self)
        else { throw CheckpointError(path: path, reason: .invalidText(name: CheckpointArchive.historyName)) }
        return (manifest, manifestText, history)
    }

    /// The first difference between the manifest's tensor index and the tensors found, as a
    /// phrase; nil when they list the same tensors with the same dtypes and shapes.
    static func indexDisagreement(_ listed: [Manifest.TensorRecord], _ found: [Manifest.TensorRecord]) -> String? {
        func key(_ record: Manifest.TensorRecord) -> String { "\(record.file):\(record.name)" }
        var byKey: [String: Manifest.TensorRecord] = [:]
        for record in listed {
            guard byKey.updateValue(record, forKey: key(record)) == nil else {
                return "the index lists \(record.file) tensor '\(record.name)' twice"
            }
        }
        for actual in found {
            guard let expected = byKey.removeValue(forKey: key(actual)) else {
                return "\(actual.file) holds '\(actual.name)', which the index does not list"
            }
            if expected.dtype != actual.dtype || expected.shape != actual.shape {
                return "the index gives '\(actual.name)' as \(expected.dtype) \(expected.shape) but \(actual.file) "
                    + "holds \(actual.dtype) \(actual.shape)"
            }
        }
        if let missing = byKey.values.min(by: { key($0) < key($1) }) {
            return "the index lists '\(missing.name)' but \(missing.file) does not hold it"
        }
        return nil
    }
}
