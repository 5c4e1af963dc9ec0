import Glibc

/// Directory watches through inotify (Linux). Watches are not recursive, so the daemon adds one
/// per directory, including directories created later. Events are parsed by hand: Glibc imports
/// `struct inotify_event` without its flexible `name` member (docs/daemon.md §2).
final class InotifyWatcher {
    /// One event, with the watched directory resolved.
    struct Event {
        /// The directory's path joined with the entry's name.
        let path: String
        /// The entry's name.
        let name: String
        /// The inotify mask.
        let mask: UInt32

        var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        /// A file finished being written or was renamed into place.
        var isFileReady: Bool { !isDirectory && mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0 }
        /// An entry went away (deleted or renamed out).
        var isRemoval: Bool { mask & (UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)) != 0 }
        /// A directory appeared (created or moved in).
        var isNewDirectory: Bool { isDirectory && mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 }
        /// The watched directory itself is gone.
        var isWatchGone: Bool { mask & UInt32(IN_IGNORED) != 0 }
    }

    /// The inotify descriptor (non-blocking), for `poll`.
    let fd: Int32
    private var directories: [Int32: String] = [:]
    private var watches: [String: Int32] = [:]
    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ONLYDIR)

    /// A watcher with no watches yet.
    init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw DaemonError.system(call: "inotify_init1", errno: errno, detail: "the store watcher") }
    }

    deinit { close(fd) }

    /// Watches `directory` (idempotent). Throws when the kernel refuses, e.g. at the
    /// `max_user_watches` limit, with the fix in the message.
    func watch(_ directory: String) throws {
        guard watches[directory] == nil else { return }
        let wd = inotify_add_watch(fd, directory, Self.mask)
        guard wd >= 0 else {
            let code = errno
            if code == ENOSPC {
                throw DaemonError.store("cannot watch \(directory): the inotify watch limit is reached; raise fs.inotify.max_user_watches (sysctl)")
            }
            throw DaemonError.system(call: "inotify_add_watch", errno: code, detail: directory)
        }
        directories[wd] = directory
        watches[directory] = wd
    }

    /// The events available now (none if nothing is pending).
    func readEvents() -> [Event] {
        var events: [Event] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, capacity)
            guard n > 0 else { break }
            var offset = 0
            while offset + 16 <= n {
                let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let name = length > 0 ? String(cString: buffer.advanced(by: offset + 16).assumingMemoryBound(to: CChar.self)) : ""
                offset += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(Event(path: "", name: "", mask: mask))
                    continue
                }
                guard let directory = directories[wd] else { continue }
                if mask & UInt32(IN_IGNORED) != 0 {
                    directories[wd] = nil
                    watches[directory] = nil
                }
                events.append(Event(path: name.isEmpty ? directory : directory + "/" + name, name: name, mask: mask))
            }
        }
        return events
    }
}
