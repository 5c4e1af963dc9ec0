import Glibc

/// Thin, errno-checked wrappers over the POSIX calls the checkpoint code needs.
enum FileIO {
    /// `strerror(code)` as a Swift string.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The error for a failed write-side call: a full disk gets its own message.
    static func writeError(errno code: Int32, path: String, step: String) -> CheckpointError {
        if code == ENOSPC || code == EDQUOT { return CheckpointError(path: path, reason: .noSpace) }
        return CheckpointError(path: path, reason: .cannotWrite("\(step): \(describe(code))"))
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR.
    ///
    /// - Parameter afterFirstChunk: Called once, after the first chunk is on its way (tests
    ///   kill the process there to prove a half-written file never gets the final name).
    static func writeAll(
        _ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String, afterFirstChunk: (() -> Void)? = nil
    ) throws {
        let chunk = 4 << 20
        var written = 0
        var hookPending = afterFirstChunk != nil
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, min(chunk, bytes.count - written))
            if result < 0 {
                if errno == EINTR { continue }
                throw writeError(errno: errno, path: path, step: "write")
            }
            written += result
            if hookPending {
                hookPending = false
                afterFirstChunk?()
            }
        }
    }

    /// The whole file at `path`, refusing files larger than `maxBytes` before reading them.
    static func readAll(_ path: String, maxBytes: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CheckpointError(path: path, reason: .cannotRead(describe(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw CheckpointError(path: path, reason: .cannotRead(describe(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(path: path, reason: .cannotRead("not a regular file"))
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw CheckpointError(path: path, reason: .archiveTooLarge(size: size, limit: maxBytes))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let result = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, size - filled) }
            if result < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(path: path, reason: .cannotRead(describe(errno)))
            }
            if result == 0 { break }  // The file shrank while we read it: parse what is there.
            filled += result
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Calls `body` with the file at `path`, 1 MiB at a time (for hashing without loading it).
    static func forEachChunk(of path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CheckpointError(path: path, reason: .cannotRead(describe(errno))) }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let result = read(descriptor, buffer.baseAddress, buffer.count)
            if result < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(path: path, reason: .cannotRead(describe(errno)))
            }
            if result == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<result]))
        }
    }
}
