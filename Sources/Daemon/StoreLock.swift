import Foundation
import Glibc

/// One daemon per store: an exclusive flock on `<store>/.sharpd.lock`, held for the daemon's
/// life (the kernel drops it when the process dies, however it dies), and `<store>/sharpd.pid`
/// for people and scripts.
public final class StoreLock {
    private let fd: Int32
    private let layout: StoreLayout

    /// Takes the lock or throws `storeBusy` naming the holder.
    init(layout: StoreLayout) throws {
        self.layout = layout
        fd = open(layout.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DaemonError.store("cannot create \(layout.lockFile): \(String(cString: strerror(errno))); is the store writable?")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = (try? String(contentsOfFile: layout.pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DaemonError.storeBusy(store: layout.root, pid: holder ?? "?")
        }
        let temporary = layout.pidFile + ".tmp"
        try? "\(getpid())\n".write(toFile: temporary, atomically: false, encoding: .utf8)
        rename(temporary, layout.pidFile)
    }

    /// Removes the pid file; the lock goes with the process.
    func release() {
        unlink(layout.pidFile)
        close(fd)
    }
}
