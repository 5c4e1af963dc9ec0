import Foundation
import Glibc

/// Tests whether a daemon is running on a store without trusting `sharpd.pid`: the daemon holds
/// an exclusive `flock` on `<store>/.sharpd.lock` for its whole life, and the kernel drops it
/// when the process dies, however it dies.
public enum DaemonProbe {
    /// Whether a daemon holds the store's lock.
    public enum State: Equatable, Sendable {
        /// A process holds the lock file; `pid` is what the pid file says (nil if unreadable).
        case running(pid: Int32?)
        /// Nobody holds the lock. `stalePID` is a leftover pid file (a daemon that was killed).
        case stopped(stalePID: Int32?)
        /// The lock could not be tested (`reason`), e.g. the store is not readable.
        case unknown(reason: String)
    }

    /// Which daemons one lock file keeps apart. With the SQLite index, which serves one host,
    /// every daemon on the store: `.sharpd.lock`. With an index several hosts share (PostgreSQL),
    /// the daemons of one host: `.sharpd@HOST.lock`, one daemon per host, the hosts sharing the
    /// store by design (docs/fleet.md). A lock file on a shared filesystem may be locked
    /// cluster-wide (NFS turns `flock` into a server lock), so one name for all hosts would
    /// admit only one of them.
    public enum Scope: Equatable, Sendable {
        /// Every daemon on the store.
        case store
        /// The daemons of this host.
        case host(String)

        /// The scope daemons on an index of this dialect use, on this host.
        public init(_ dialect: SQLDialect, host: String = DaemonProbe.hostName) {
            self = dialect.isShared ? .host(host) : .store
        }

        /// `sharpd` or `sharpd@HOST`, the stem of the lock and pid files' names.
        var stem: String {
            switch self {
            case .store: return "sharpd"
            case .host(let name): return "sharpd@" + name.replacingOccurrences(of: "/", with: "_")
            }
        }
    }

    /// The name this host goes by in a fleet: SHARP_HOST if set (two simulated hosts on one
    /// machine, a name that outlives a container), else the machine's host name.
    public static var hostName: String {
        if let name = ProcessInfo.processInfo.environment["SHARP_HOST"], !name.isEmpty { return name }
        return ProcessInfo.processInfo.hostName
    }

    /// `<store>/.sharpd.lock` (or `.sharpd@HOST.lock`).
    public static func lockFile(store: String, scope: Scope = .store) -> String {
        URL(fileURLWithPath: store).appendingPathComponent("." + scope.stem + ".lock").path
    }

    /// `<store>/sharpd.pid` (or `sharpd@HOST.pid`).
    public static func pidFile(store: String, scope: Scope = .store) -> String {
        URL(fileURLWithPath: store).appendingPathComponent(scope.stem + ".pid").path
    }

    /// `<store>/quarantine`.
    public static func quarantineDirectory(store: String) -> String {
        URL(fileURLWithPath: store).appendingPathComponent("quarantine").path
    }

    /// Tries a non-blocking lock on the lock file and releases it at once. The probe asks for a
    /// *shared* lock: it fails exactly when the daemon holds its exclusive one, and two `status`
    /// calls at the same moment do not mistake each other for a daemon. The file is opened
    /// read-only and never created.
    public static func state(store: String, scope: Scope = .store) -> State {
        let pid = (try? String(contentsOfFile: pidFile(store: store, scope: scope), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let lock = lockFile(store: store, scope: scope)
        let fd = open(lock, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return .stopped(stalePID: pid) }  // no daemon ever ran here
            return .unknown(reason: "cannot open \(lock): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .stopped(stalePID: pid)
        }
        if errno == EWOULDBLOCK { return .running(pid: pid) }
        return .unknown(reason: "cannot lock \(lock): \(String(cString: strerror(errno)))")
    }

    /// The pid of the process holding the store's lock, proven from the kernel's lock table
    /// (`/proc/locks`: an exclusive FLOCK on the lock file's device and inode); nil when nobody
    /// holds it, or when the holder cannot be proven (another pid namespace, no /proc). Only this
    /// pid may be signalled: `sharpd.pid` can outlive its daemon and name an unrelated process.
    public static func lockHolder(store: String, scope: Scope = .store) -> Int32? {
        var info = stat()
        guard stat(lockFile(store: store, scope: scope), &info) == 0,
            let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8)
        else { return nil }
        // glibc's gnu_dev_major / gnu_dev_minor; /proc/locks prints them in hex, the inode in decimal.
        let device = UInt64(info.st_dev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let file = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(info.st_ino))
        for line in table.split(separator: "\n") where !line.contains("->") {  // "->": a waiter, not a holder
            // "1: FLOCK  ADVISORY  WRITE 21827 00:2e:1234567 0 EOF"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", fields[5] == file,
                let pid = Int32(fields[4]), pid > 0
            else { continue }
            return pid
        }
        return nil
    }

    /// The number of `*.reason.txt` notes in `<store>/quarantine/` (0 when there is no folder).
    public static func quarantinedFiles(store: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: quarantineDirectory(store: store))) ?? []
        return names.filter { $0.hasSuffix(".reason.txt") }.count
    }
}
