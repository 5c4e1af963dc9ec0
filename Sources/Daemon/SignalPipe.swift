import Glibc

/// Turns signals into readable bytes (the self-pipe trick), so the daemon's single `poll` loop
/// wakes for SIGCHLD, SIGTERM, SIGINT and SIGHUP like for any other file descriptor, and does
/// all real work outside signal context. The handler only calls write(2), which is
/// async-signal-safe.
enum SignalPipe {
    /// The read end (non-blocking); each byte is a signal number.
    nonisolated(unsafe) private(set) static var readFD: Int32 = -1
    nonisolated(unsafe) private static var writeFD: Int32 = -1

    /// Installs the handlers once.
    static func install(_ signals: [Int32]) throws {
        guard let fds = closeOnExecPipe(nonBlocking: true) else {
            throw DaemonError.system(call: "pipe", errno: errno, detail: "the signal pipe")
        }
        readFD = fds.read
        writeFD = fds.write
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                let saved = errno
                _ = write(SignalPipe.writeFD, &byte, 1)
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            guard sigaction(signal, &action, nil) == 0 else {
                throw DaemonError.system(call: "sigaction", errno: errno, detail: "signal \(signal)")
            }
        }
        // Handled signals must also be deliverable: a parent may have started us with them
        // blocked (a test runner's thread, some supervisors), and a blocked SIGTERM would never
        // stop the daemon.
        var handled = sigset_t()
        sigemptyset(&handled)
        for s in signals { sigaddset(&handled, s) }
        sigprocmask(SIG_UNBLOCK, &handled, nil)
        // A worker whose daemon died must not take the daemon's test harness down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    /// The signals delivered since the last call, in order.
    static func drain() -> [Int32] {
        var received: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readFD, &buffer, buffer.count)
            guard n > 0 else { break }
            received += buffer[0..<n].map { Int32($0) }
        }
        return received
    }
}
