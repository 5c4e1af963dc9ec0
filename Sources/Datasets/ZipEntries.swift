import CArchive

/// Reads every regular file of a zip archive held in memory through libarchive's zip reader,
/// with limits so a hostile archive cannot exhaust memory.
enum ZipEntries {
    /// Most entries an archive may have.
    static let maximumEntries = 64
    /// Most bytes of all entries together once decompressed.
    static let maximumTotalBytes = 4 << 30

    /// Entry name → contents. Throws a one-line reason for anything libarchive rejects.
    static func read(_ archive: [UInt8]) throws(ZipError) -> [String: [UInt8]] {
        guard let reader = archive_read_new() else { throw ZipError("libarchive could not allocate a reader") }
        defer { archive_read_free(reader) }
        archive_read_support_format_zip(reader)
        var entries: [String: [UInt8]] = [:]
        var total = 0
        let status: Result<Void, ZipError> = archive.withUnsafeBytes { bytes in
            guard archive_read_open_memory(reader, bytes.baseAddress, bytes.count) == ARCHIVE_OK else {
                return .failure(ZipError(errorText(reader)))
            }
            var entry: OpaquePointer?
            while true {
                let next = archive_read_next_header(reader, &entry)
                if next == ARCHIVE_EOF { return .success(()) }
                guard next == ARCHIVE_OK || next == ARCHIVE_WARN, let entry else {
                    return .failure(ZipError(errorText(reader)))
                }
                guard entries.count < maximumEntries else {
                    return .failure(ZipError("more than \(maximumEntries) entries"))
                }
                let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
                if archive_entry_filetype(entry) & 0o170000 != 0o100000 { continue }  // directories etc.
                var data: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = chunk.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
                    if n == 0 { break }
                    guard n > 0 else { return .failure(ZipError("\(name): \(errorText(reader))")) }
                    total += n
                    guard total <= maximumTotalBytes else {
                        return .failure(ZipError("entries exceed \(maximumTotalBytes >> 30) GiB"))
                    }
                    data.append(contentsOf: chunk[0..<n])
                }
                guard entries[name] == nil else { return .failure(ZipError("duplicate entry \(name)")) }
                entries[name] = data
            }
        }
        try status.get()
        return entries
    }

    private static func errorText(_ reader: OpaquePointer) -> String {
        archive_error_string(reader).map { String(cString: $0) } ?? "libarchive error \(archive_errno(reader))"
    }
}

/// Why a zip archive could not be read.
struct ZipError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
