import CArchive

/// How the tar stream of a checkpoint is compressed.
public enum CheckpointCompression: String, CaseIterable, Sendable {
    /// zstd (`.ckpt.tar.zst`): the default; fast to write and read.
    case zstd
    /// gzip (`.tar.gz`): for tools without zstd (Python < 3.14's `tarfile`).
    case gzip
    /// A plain `.tar`.
    case none
}

/// One entry to put in a tar archive. Checkpoints only ever hold regular files; the other
/// kinds exist so tests can build the hostile archives the reader must refuse.
struct ArchiveEntry: Sendable {
    enum Kind: Sendable {
        case file([UInt8])
        case directory
        case symlink(target: String)
        case hardlink(target: String)
        case fifo
    }

    var name: String
    var kind: Kind
    var mode: UInt32 = 0o644
    /// Modification time, seconds since 1970 (fixed per checkpoint so equal content hashes equal).
    var modificationTime: Int = 0
}

/// Writes tar archives into memory through libarchive.
enum ArchiveWriter {
    /// A pax-restricted tar (plain ustar unless a name needs pax) of `entries`, compressed.
    static func archive(_ entries: [ArchiveEntry], compression: CheckpointCompression) throws -> [UInt8] {
        guard let archive = archive_write_new() else { throw failure("libarchive could not allocate a writer") }
        defer { archive_write_free(archive) }
        let sink = Sink()
        try check(archive, archive_write_set_format_pax_restricted(archive))
        switch compression {
        case .zstd: try check(archive, archive_write_add_filter_zstd(archive))
        case .gzip:
            try check(archive, archive_write_add_filter_gzip(archive))
            // No wall-clock time in the gzip header: the same checkpoint gives the same bytes.
            _ = archive_write_set_filter_option(archive, "gzip", "timestamp", nil)
        case .none: break
        }
        // libarchive pads the last block to 10240 bytes by default; after zstd that padding
        // makes its own reader fail with "Unknown frame descriptor" (docs/checkpoint-format.md §3).
        try check(archive, archive_write_set_bytes_in_last_block(archive, 1))
        let context = Unmanaged.passUnretained(sink).toOpaque()
        let opened = archive_write_open(
            archive, context, nil,
            { _, context, buffer, length in
                guard let context, let buffer else { return -1 }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
                return la_ssize_t(length)
            }, nil)
        try check(archive, opened)
        for entry in entries { try write(entry, to: archive) }
        try check(archive, archive_write_close(archive))
        return sink.bytes
    }

    private static func write(_ entry: ArchiveEntry, to archive: OpaquePointer) throws {
        guard let header = archive_entry_new() else { throw failure("libarchive could not allocate an entry") }
        defer { archive_entry_free(header) }
        archive_entry_set_pathname_utf8(header, entry.name)
        archive_entry_set_perm(header, entry.mode)
        archive_entry_set_mtime(header, entry.modificationTime, 0)
        var data: [UInt8] = []
        switch entry.kind {
        case .file(let bytes):
            archive_entry_set_filetype(header, 0o100000)  // AE_IFREG is a cast macro Swift cannot import.
            data = bytes
        case .directory: archive_entry_set_filetype(header, 0o040000)
        case .fifo: archive_entry_set_filetype(header, 0o010000)
        case .symlink(let target):
            archive_entry_set_filetype(header, 0o120000)
            archive_entry_set_symlink_utf8(header, target)
        case .hardlink(let target):
            archive_entry_set_filetype(header, 0o100000)
            archive_entry_set_hardlink_utf8(header, target)
        }
        archive_entry_set_size(header, Int64(data.count))
        try check(archive, archive_write_header(archive, header))
        var written = 0
        while written < data.count {
            let count = min(data.count - written, 1 << 20)
            let result = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress! + written, count) }
            guard result > 0 else { throw failure(message(archive)) }
            written += result
        }
    }

    /// Collects the compressed stream; the C write callback reaches it through `client_data`
    /// (a C function pointer cannot capture it).
    private final class Sink {
        var bytes: [UInt8] = []
    }

    private static func check(_ archive: OpaquePointer, _ status: Int32) throws {
        if status < ARCHIVE_WARN { throw failure(message(archive)) }
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error \(archive_errno(archive))"
    }

    private static func failure(_ why: String) -> CheckpointError {
        CheckpointError(path: "<memory>", reason: .cannotWrite("building the archive: \(why)"))
    }
}
