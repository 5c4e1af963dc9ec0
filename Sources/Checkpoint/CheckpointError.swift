/// Why a checkpoint (or a safetensors file) could not be written or read.
///
/// `description` is always one line: the file, the entry inside the archive when there is one,
/// what is wrong, and what to do, e.g.
/// `store/run7.ckpt.tar.zst: truncated archive (Truncated tar archive); the file is incomplete — copy it again`.
/// The daemon records that line as a job's failure reason, so it must make sense on its own.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file being written or read (or the caller's name for an in-memory buffer).
    public var path: String
    /// The archive entry the problem is in (`model.safetensors`), when it is inside one.
    public var entry: String?
    /// What went wrong.
    public var reason: Reason

    /// An error about `path` (and optionally one `entry` of it).
    public init(path: String, entry: String? = nil, reason: Reason) {
        self.path = path
        self.entry = entry
        self.reason = reason
    }

    /// The same reason, attributed to an entry of the archive at `path`.
    func located(path: String, entry: String) -> CheckpointError {
        CheckpointError(path: path, entry: self.entry ?? entry, reason: reason)
    }

    /// Every way a checkpoint can fail; the message and advice for each are in
    /// `CheckpointError+Description.swift`.
    public enum Reason: Equatable, Sendable {
        // MARK: File system
        /// The file could not be opened or read (the `strerror` text).
        case cannotRead(String)
        /// The file could not be created, written or renamed (the step and the `strerror` text).
        case cannotWrite(String)
        /// The device (or quota) is full.
        case noSpace

        // MARK: Archive container
        /// The file is bigger than `CheckpointReadLimits.maxArchiveBytes`.
        case archiveTooLarge(size: Int, limit: Int)
        /// Not a tar archive in a supported compression (libarchive's message).
        case notAnArchive(String)
        /// The archive ends early (libarchive's message).
        case truncated(String)
        /// The archive is damaged (libarchive's message).
        case corrupt(String)
        /// More entries than `CheckpointReadLimits.maxEntries`.
        case tooManyEntries(limit: Int)
        /// One entry is bigger than `CheckpointReadLimits.maxEntryBytes`.
        case entryTooLarge(name: String, size: Int, limit: Int)
        /// All entries together exceed `CheckpointReadLimits.maxTotalBytes`.
        case totalTooLarge(limit: Int)
        /// The contents expand too much relative to the file: a decompression-bomb guard.
        case expansionTooLarge(limit: Int)
        /// An entry name that is absolute or climbs out with `..`.
        case unsafePath(name: String)
        /// A symbolic or hard link entry.
        case linkEntry(name: String, target: String, hard: Bool)
        /// A directory, device, FIFO or other non-regular entry.
        case notRegularFile(name: String, kind: String)
        /// The same entry name twice.
        case duplicateEntry(name: String)
        /// An entry that is not one of the four a checkpoint holds.
        case unexpectedEntry(name: String)
        /// One of the four entries is absent.
        case missingEntry(name: String)
        /// An entry's bytes do not match the sha256 recorded in the manifest.
        case checksumMismatch(name: String)
        /// A text entry that is not UTF-8.
        case invalidText(name: String)

        // MARK: Manifest
        /// `manifest.json` is not valid JSON or lacks a field (the decoder's explanation).
        case invalidManifest(String)
        /// `manifest.json` names another format.
        case wrongFormat(found: String)
        /// `manifest.json` has a `formatVersion` this Sharp does not know.
        case newerFormat(version: Int)
        /// The manifest's tensor index disagrees with the safetensors files.
        case manifestMismatch(String)

        // MARK: safetensors
        /// The file is shorter than the 8-byte header length.
        case safetensorsTooSmall(size: Int)
        /// The header length exceeds the reference reader's 100,000,000-byte cap.
        case headerTooLarge(length: UInt64)
        /// The header length runs past the end of the file.
        case headerBeyondFile(length: UInt64, fileSize: Int)
        /// The header is not UTF-8 JSON of the expected shape.
        case invalidHeader(String)
        /// A dtype Sharp does not load (only F32 and F64 are supported).
        case unsupportedDtype(tensor: String, dtype: String)
        /// A shape with a negative, fractional or overflowing extent.
        case invalidShape(tensor: String, detail: String)
        /// `data_offsets` are malformed (not two integers, or end before begin).
        case invalidOffsets(tensor: String, detail: String)
        /// The shape and dtype need a different number of bytes than the offsets span.
        case sizeMismatch(tensor: String, expected: Int, actual: Int)
        /// A tensor's data lies beyond the end of the data section.
        case offsetsOutOfBounds(tensor: String, end: Int, dataSize: Int)
        /// Two tensors share bytes.
        case overlappingTensors(first: String, second: String)
        /// Bytes between two tensors (or before the first) belong to no tensor.
        case gapBeforeTensor(tensor: String, gap: Int)
        /// Bytes after the last tensor belong to no tensor.
        case trailingBytes(count: Int)
        /// The same tensor name twice in one header.
        case duplicateTensor(name: String)
        /// A tensor holds NaN or ±Inf.
        case nonFinite(tensor: String, count: Int, firstIndex: Int)
        /// The tensors to write cannot form a valid file (e.g. a repeated name).
        case cannotEncode(String)
    }
}
