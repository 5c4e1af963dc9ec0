extension CheckpointError {
    /// One line: `path (entry): what is wrong; what to do`.
    public var description: String {
        if reason == .noSpace { return "no space left on device writing \(Self.printable(path)); free space and retry" }
        let location = Self.printable(path) + (entry.map { " (\(Self.printable($0)))" } ?? "")
        return "\(location): \(reason.message); \(reason.advice)"
    }

    /// `text` made safe for a one-line message: control characters escaped, long names cut.
    /// Entry and tensor names come from untrusted files and may hold newlines or megabytes.
    static func printable(_ text: String, limit: Int = 200) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > limit ? out + "…" : out
    }
}

extension CheckpointError.Reason {
    private static let damaged = "the file is corrupt — restore it from a good copy"
    private static let unsafe = "refusing an unsafe archive — do not use this file"
    private static let badSafetensors = "the safetensors file is malformed — re-export it"

    private func q(_ text: String) -> String { "'\(CheckpointError.printable(text))'" }

    /// What is wrong, without the file name.
    var message: String {
        switch self {
        case .cannotRead(let why): return "cannot read (\(why))"
        case .cannotWrite(let why): return "cannot write (\(why))"
        case .noSpace: return "no space left on device"
        case .archiveTooLarge(let size, let limit): return "archive is \(size) bytes, over the \(limit)-byte limit"
        case .notAnArchive(let why): return "not a tar, tar.gz or tar.zst archive (\(why))"
        case .truncated(let why): return "truncated archive (\(why))"
        case .corrupt(let why): return "damaged archive (\(why))"
        case .tooManyEntries(let limit): return "archive has more than \(limit) entries"
        case .entryTooLarge(let name, let size, let limit):
            return "entry \(q(name)) is \(size) bytes, over the \(limit)-byte entry limit"
        case .totalTooLarge(let limit): return "entries total more than the \(limit)-byte limit"
        case .expansionTooLarge(let limit):
            return "contents expand more than \(limit):1 over the file size (possible decompression bomb)"
        case .unsafePath(let name): return "entry \(q(name)) has an absolute path or a '..' component"
        case .linkEntry(let name, let target, let hard):
            return "entry \(q(name)) is a \(hard ? "hard" : "symbolic") link to \(q(target))"
        case .notRegularFile(let name, let kind): return "entry \(q(name)) is a \(kind), not a regular file"
        case .duplicateEntry(let name): return "entry \(q(name)) appears twice"
        case .unexpectedEntry(let name):
            let expected = CheckpointArchive.entryNames.joined(separator: ", ")
            return "unexpected entry \(q(name)) (a checkpoint holds only \(expected))"
        case .missingEntry(let name): return "missing entry \(q(name))"
        case .checksumMismatch(let name):
            return "\(q(name)) does not match the sha256 recorded for it in manifest.json"
        case .invalidText(let name): return "\(q(name)) is not UTF-8 text"
        case .invalidManifest(let why): return "invalid manifest.json (\(why))"
        case .wrongFormat(let found): return "manifest format is \(q(found)), not '\(Manifest.formatName)'"
        case .newerFormat(let version): return "written by a newer Sharp (format \(version))"
        case .manifestMismatch(let why): return "manifest.json disagrees with the tensors (\(why))"
        case .safetensorsTooSmall(let size):
            return "safetensors data is \(size) bytes, shorter than its 8-byte header length"
        case .headerTooLarge(let length):
            return "safetensors header length \(length) exceeds the \(SafeTensors.maxHeaderBytes)-byte maximum"
        case .headerBeyondFile(let length, let fileSize):
            return "safetensors header length \(length) runs past the end of the \(fileSize)-byte file"
        case .invalidHeader(let why): return "invalid safetensors header (\(why))"
        case .unsupportedDtype(let tensor, let dtype):
            return "tensor \(q(tensor)) has unsupported dtype \(q(dtype)); Sharp reads F32 and F64"
        case .invalidShape(let tensor, let detail): return "tensor \(q(tensor)) has an invalid shape (\(detail))"
        case .invalidOffsets(let tensor, let detail): return "tensor \(q(tensor)) has invalid data_offsets (\(detail))"
        case .sizeMismatch(let tensor, let expected, let actual):
            return "tensor \(q(tensor)) needs \(expected) bytes for its shape and dtype but data_offsets span \(actual)"
        case .offsetsOutOfBounds(let tensor, let end, let dataSize):
            return "tensor \(q(tensor)) ends at byte \(end), past the \(dataSize)-byte data section"
        case .overlappingTensors(let first, let second): return "tensors \(q(first)) and \(q(second)) overlap"
        case .gapBeforeTensor(let tensor, let gap): return "\(gap) unused bytes before tensor \(q(tensor))"
        case .trailingBytes(let count): return "\(count) unused bytes after the last tensor"
        case .duplicateTensor(let name): return "tensor \(q(name)) appears twice"
        case .nonFinite(let tensor, let count, let firstIndex):
            return "tensor \(q(tensor)) has \(count) NaN/Inf values (first at element \(firstIndex))"
        case .cannotEncode(let why): return "cannot encode tensors (\(why))"
        }
    }

    /// What to do about a file the daemon moved to quarantine for this reason: moving it back
    /// helps only when the file was incomplete; a hostile or oversized archive must not return.
    public var quarantineFix: String {
        switch self {
        case .truncated, .missingEntry, .cannotRead:
            return "if it was copied in before the copy had finished, copy it again whole (or move it back once complete)"
        case .archiveTooLarge, .tooManyEntries, .entryTooLarge, .totalTooLarge, .expansionTooLarge, .unsafePath, .linkEntry,
            .notRegularFile, .duplicateEntry:
            return "do not move it back: \(advice)"
        default:
            return "\(advice); then put a good copy into the store"
        }
    }

    /// What the user should do about it.
    var advice: String {
        switch self {
        case .cannotRead: return "check the path and its permissions"
        case .cannotWrite: return "check that the directory exists and is writable"
        case .noSpace: return "free space and retry"
        case .archiveTooLarge, .tooManyEntries, .entryTooLarge, .totalTooLarge, .expansionTooLarge:
            return "if the file is trusted, raise CheckpointReadLimits; otherwise do not use it"
        case .notAnArchive: return "Sharp reads .ckpt.tar.zst, .tar.gz and .tar checkpoints"
        case .truncated, .missingEntry: return "the file is incomplete — copy it again"
        case .corrupt, .checksumMismatch, .invalidText: return Self.damaged
        case .unsafePath, .linkEntry, .notRegularFile, .duplicateEntry: return Self.unsafe
        case .unexpectedEntry: return "this is not a Sharp checkpoint — recreate it with sharp"
        case .invalidManifest, .manifestMismatch:
            return "the checkpoint is inconsistent — recreate it or restore a good copy"
        case .wrongFormat: return "this is not a Sharp checkpoint"
        case .newerFormat: return "upgrade Sharp"
        case .unsupportedDtype: return "convert the weights to float32 or float64 before saving"
        case .nonFinite: return "training diverged or the file is damaged — use an earlier checkpoint"
        case .cannotEncode: return "give every tensor a unique name other than __metadata__"
        case .safetensorsTooSmall, .headerTooLarge, .headerBeyondFile, .invalidHeader, .invalidShape, .invalidOffsets,
            .sizeMismatch, .offsetsOutOfBounds, .overlappingTensors, .gapBeforeTensor, .trailingBytes, .duplicateTensor:
            return Self.badSafetensors
        }
    }
}
