import Glibc

/// Writes a file so that a reader sees either nothing or all of it, even if the writer is
/// killed or the machine loses power: temp file in the same directory, fsync, rename, fsync
/// the directory.
///
/// The temp name is hidden and marked (`.NAME.tmp-PID-RANDOM`), so the daemon and `sharpq`
/// ignore it; one left behind by a killed writer is harmless and can be deleted.
enum AtomicFile {
    /// Test hook: runs inside `write` after the first chunk of the temp file is written.
    nonisolated(unsafe) static var afterFirstChunkForTesting: ((_ temporaryPath: String) -> Void)?

    /// The hidden temp name used for `path` by this process.
    static func temporaryPath(for path: String) -> String {
        let (directory, name) = split(path)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return directory + "/.\(name).tmp-\(getpid())-\(random)"
    }

    /// True for names the writer uses for temp files; scanners skip them.
    static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(".tmp-")
    }

    /// Replaces (or creates) `path` with `bytes` atomically.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileIO.writeError(errno: errno, path: path, step: "creating \(temporary)") }
        var open = true
        do {
            let hook = afterFirstChunkForTesting.map { hook in { hook(temporary) } }
            try bytes.withUnsafeBytes { try FileIO.writeAll($0, to: descriptor, path: path, afterFirstChunk: hook) }
            guard fsync(descriptor) == 0 else { throw FileIO.writeError(errno: errno, path: path, step: "fsync") }
            open = false
            // close can report a deferred write error (NFS, quota); it must not be ignored.
            guard close(descriptor) == 0 else { throw FileIO.writeError(errno: errno, path: path, step: "close") }
            guard rename(temporary, path) == 0 else {
                throw FileIO.writeError(errno: errno, path: path, step: "rename")
            }
        } catch {
            if open { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // The rename is durable only once the directory entry is on disk. Some file systems
        // refuse fsync on a directory (EINVAL); the file itself is complete either way.
        let directory = Glibc.open(split(path).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            let synced = fsync(directory)
            let code = errno
            close(directory)
            if synced != 0, code != EINVAL, code != EROFS {
                throw FileIO.writeError(errno: code, path: path, step: "fsync directory")
            }
        }
    }

    /// The directory (or `.`) and the last component of `path`.
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
