import CArchive

/// Reads the entries of a checkpoint archive into memory, refusing anything that is not one of
/// the expected regular files. Nothing is ever extracted to disk, so a hostile name can do no
/// harm by itself; names are still checked so that such files are reported, not half-used.
///
/// Only the tar format and the gzip and zstd filters are enabled: every reader left out is
/// parser code a hostile file cannot reach (most libarchive fuzz crashes are in RAR, ISO, CAB).
struct ArchiveReader {
    let buffer: UnsafeRawBufferPointer
    let source: String
    let allowedNames: Set<String>
    let limits: CheckpointReadLimits
    /// Entries whose bytes are returned; the others are checked as usual but skipped, not held
    /// (nil: all).
    var keep: Set<String>? = nil

    private func fail(_ reason: CheckpointError.Reason, entry: String? = nil) -> CheckpointError {
        CheckpointError(path: source, entry: entry, reason: reason)
    }

    /// The entries by name. The caller keeps `buffer` alive for the whole call
    /// (`archive_read_open_memory` reads it in place).
    func readEntries() throws -> [String: [UInt8]] {
        guard buffer.count > 0 else { throw fail(.truncated("the file is empty")) }
        guard buffer.count <= limits.maxArchiveBytes else {
            throw fail(.archiveTooLarge(size: buffer.count, limit: limits.maxArchiveBytes))
        }
        guard let archive = archive_read_new() else {
            throw fail(.cannotRead("libarchive could not allocate a reader"))
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_filter_zstd(archive)
        archive_read_support_format_tar(archive)
        guard archive_read_open_memory(archive, buffer.baseAddress, buffer.count) >= ARCHIVE_WARN else {
            throw classify(archive)
        }

        var entries: [String: [UInt8]] = [:]
        var entryCount = 0
        var totalBytes = 0
        var endOfLastEntry: Int64 = 0
        while true {
            var header: OpaquePointer?
            let status = archive_read_next_header(archive, &header)
            if status == ARCHIVE_EOF {
                // libarchive also stops at a lone or partial end-of-archive block; a complete
                // tar ends with two zero blocks, so a file cut inside them is still incomplete
                // (and would hash differently from the finished file).
                guard archive_filter_bytes(archive, 0) - endOfLastEntry >= 1024 else {
                    throw fail(.truncated("the end-of-archive marker is missing"))
                }
                break
            }
            guard status >= ARCHIVE_WARN, let header else { throw classify(archive) }
            entryCount += 1
            guard entryCount <= limits.maxEntries else { throw fail(.tooManyEntries(limit: limits.maxEntries)) }
            let name = try checkedName(header)
            guard entries[name] == nil else { throw fail(.duplicateEntry(name: name)) }
            guard allowedNames.contains(name) else { throw fail(.unexpectedEntry(name: name)) }

            // Refuse on the declared size before decompressing anything.
            let declared = archive_entry_size_is_set(header) != 0 ? max(0, Int(archive_entry_size(header))) : 0
            try checkSize(name: name, entryBytes: declared, totalBytes: totalBytes, adding: declared)
            if let keep, !keep.contains(name) {
                guard archive_read_data_skip(archive) >= ARCHIVE_WARN else { throw classify(archive, entry: name) }
                entries[name] = []  // seen (duplicates are still refused), not kept
                endOfLastEntry = archive_filter_bytes(archive, 0)
                continue
            }
            entries[name] = try readData(archive, name: name, declared: declared, totalBefore: &totalBytes)
            endOfLastEntry = archive_filter_bytes(archive, 0)
        }
        return entries
    }

    /// The entry's name with any leading `./`, after the path, link and file-type checks.
    private func checkedName(_ header: OpaquePointer) throws -> String {
        guard let raw = archive_entry_pathname_utf8(header) ?? archive_entry_pathname(header) else {
            throw fail(.unsafePath(name: "<unreadable name>"))
        }
        let original = String(cString: raw)
        if original.hasPrefix("/") || original.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            throw fail(.unsafePath(name: original))
        }
        var name = Substring(original)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        if let target = archive_entry_hardlink_utf8(header) ?? archive_entry_hardlink(header) {
            throw fail(.linkEntry(name: original, target: String(cString: target), hard: true))
        }
        let type = archive_entry_filetype(header)
        if type == 0o120000 || archive_entry_symlink(header) != nil {
            let target =
                (archive_entry_symlink_utf8(header) ?? archive_entry_symlink(header)).map { String(cString: $0) } ?? ""
            throw fail(.linkEntry(name: original, target: target, hard: false))
        }
        guard type == 0o100000 else { throw fail(.notRegularFile(name: original, kind: Self.kindName(type))) }
        return String(name)
    }

    /// Throws when an entry of `entryBytes`, or `totalBytes + adding` in all, breaks a limit.
    private func checkSize(name: String, entryBytes: Int, totalBytes: Int, adding: Int = 0) throws {
        guard entryBytes <= limits.maxEntryBytes else {
            throw fail(.entryTooLarge(name: name, size: entryBytes, limit: limits.maxEntryBytes))
        }
        // A pax header may declare any 64-bit size: add without trapping.
        let (total, overflow) = totalBytes.addingReportingOverflow(adding)
        if overflow { throw fail(.totalTooLarge(limit: limits.maxTotalBytes), entry: name) }
        if let violation = limits.expansionViolation(totalBytes: total, archiveBytes: buffer.count) {
            throw fail(violation, entry: name)
        }
    }

    /// Reads one entry's data in 1 MiB pieces, re-checking the limits after every piece.
    private func readData(_ archive: OpaquePointer, name: String, declared: Int, totalBefore total: inout Int) throws
        -> [UInt8]
    {
        let chunk = 1 << 20
        var data: [UInt8] = []
        // Trust the declared size only as far as the cheap pre-check allows, and not beyond
        // 64 MiB up front: a lying header must not buy a large allocation.
        data.reserveCapacity(min(declared, 64 << 20))
        var piece = [UInt8](repeating: 0, count: chunk)
        while true {
            let count = piece.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, chunk) }
            if count == 0 { break }
            guard count > 0 else { throw classify(archive, entry: name) }
            data.append(contentsOf: piece[0..<count])
            total += count
            try checkSize(name: name, entryBytes: data.count, totalBytes: total)
        }
        return data
    }

    /// Sorts libarchive's message into truncated / not an archive / damaged.
    private func classify(_ archive: OpaquePointer, entry: String? = nil) -> CheckpointError {
        guard let text = archive_error_string(archive) else {
            // libarchive 3.6's gzip reader gives no message when the stream just stops.
            return fail(.truncated("the compressed data ends early"), entry: entry)
        }
        let message = String(cString: text)
        let lower = message.lowercased()
        if lower.contains("truncated") || lower.contains("premature end") || lower.contains("unexpected end") {
            return fail(.truncated(message), entry: entry)
        }
        if lower.contains("unrecognized archive format") {
            return fail(.notAnArchive(message), entry: entry)
        }
        return fail(.corrupt(message), entry: entry)
    }

    private static func kindName(_ type: UInt32) -> String {
        switch type {
        case 0o040000: "directory"
        case 0o020000: "character device"
        case 0o060000: "block device"
        case 0o010000: "FIFO"
        case 0o140000: "socket"
        default: "special file (type \(String(type, radix: 8)))"
        }
    }
}
