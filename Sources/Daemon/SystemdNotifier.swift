import Foundation
import Glibc

/// systemd's notify protocol, spoken directly: one datagram of `KEY=VALUE` lines
/// to the AF_UNIX socket named by `NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace).
/// Written here rather than linked from libsystemd: the protocol is a dozen lines, and a daemon
/// that runs without systemd (containers, tests, other init systems) should not need the library.
/// Without `NOTIFY_SOCKET` every call does nothing.
public final class SystemdNotifier: @unchecked Sendable {
    private let address: sockaddr_un?
    private let addressLength: socklen_t
    private let fd: Int32
    /// Half the watchdog interval systemd asked for (`WATCHDOG_USEC`, checked against
    /// `WATCHDOG_PID`), the recommended ping period; nil without a watchdog.
    public let watchdogPeriod: TimeInterval?
    /// When the watchdog was last pinged.
    private var lastPing = Date.distantPast
    /// Whether READY=1 was sent (before it, a long start-up asks for more time).
    private var isReady = false
    /// When the start timeout was last extended.
    private var lastExtension = Date.distantPast

    /// Reads the protocol's variables from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var period: TimeInterval?
        if let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            period = usec / 2e6
        }
        watchdogPeriod = period
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108,
            path.hasPrefix("/") || path.hasPrefix("@")
        else {
            address = nil
            addressLength = 0
            fd = -1
            return
        }
        var un = sockaddr_un()
        un.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // the abstract namespace starts with NUL
        withUnsafeMutableBytes(of: &un.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        address = un
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// True when a service manager listens.
    public var isActive: Bool { address != nil && fd >= 0 }

    /// Sends `state` (`READY=1`, `STATUS=…`, several lines at once); false when nothing listened.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard var address, fd >= 0 else { return false }
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                sendto(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), sa, addressLength)
            }
        }
        return sent == bytes.count
    }

    /// Start-up done: the service is up (`READY=1`), with a status line.
    public func ready(status: String) {
        isReady = true
        notify("READY=1\nSTATUS=\(status)\nMAINPID=\(getpid())")
    }

    /// Called between the steps of long work (a scan of many files): pings the watchdog when due
    /// and, before READY, extends systemd's start timeout by 90 s every 30 s, so a first scan of
    /// a large store is not taken for a hung start.
    public func keepAlive(now: Date = Date()) {
        pingWatchdogIfDue(now: now)
        guard isActive, !isReady, now.timeIntervalSince(lastExtension) >= 30 else { return }
        lastExtension = now
        notify("EXTEND_TIMEOUT_USEC=90000000\nSTATUS=indexing the store")
    }

    /// Reloading (`RELOADING=1` with the monotonic time systemd's notify-reload wants); `ready`
    /// follows when done.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        notify("RELOADING=1\nMONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000)")
    }

    /// Shutting down.
    public func stopping() { notify("STOPPING=1") }

    /// A free-form status line (`systemctl status` shows it).
    public func status(_ text: String) { notify("STATUS=\(text)") }

    /// Pings the watchdog when half its interval has passed since the last ping.
    public func pingWatchdogIfDue(now: Date = Date()) {
        guard let period = watchdogPeriod, now.timeIntervalSince(lastPing) >= period * 0.9 else { return }
        lastPing = now
        notify("WATCHDOG=1")
    }

    /// When the watchdog must be pinged next (a deadline for the event loop); nil without one.
    public var nextWatchdogPing: Date? { watchdogPeriod.map { lastPing.addingTimeInterval($0) } }
}
