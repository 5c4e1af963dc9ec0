import Glibc

/// What `stat(2)` says about a file, as far as its bytes are concerned: inode, size, and the
/// modification and status-change times to the nanosecond. Two equal identities mean the bytes
/// were not rewritten in between (every write moves the status-change time, and no user call can
/// set it back), so a scan can skip reading and hashing a file it knows. The device number is
/// left out: each host that mounts a shared store sees its own, while a network filesystem's
/// inode and times come from its server and agree on every host.
struct FileIdentity: Equatable {
    let text: String
    /// The status-change time (unix seconds): when the bytes or the name last changed.
    let changedAt: Double

    /// The identity of the file at `path` now; nil when it cannot be stat'ed.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        text = [
            UInt64(info.st_ino), UInt64(info.st_size),
            UInt64(info.st_mtim.tv_sec), UInt64(info.st_mtim.tv_nsec),
            UInt64(info.st_ctim.tv_sec), UInt64(info.st_ctim.tv_nsec),
        ].map(String.init).joined(separator: ":")
        changedAt = Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9
    }
}
