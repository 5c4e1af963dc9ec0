import Foundation
import Glibc

/// A worker process the daemon started: `sharpd worker ...` with its stdout on a pipe the daemon
/// reads and its stdin on a pipe the daemon holds open. When the daemon dies (even by SIGKILL)
/// the kernel closes that pipe, the worker reads end-of-file and exits, so no orphan goes on
/// scoring jobs the next daemon will hand out again.
final class WorkerProcess {
    /// Its pid.
    let pid: pid_t
    /// Its report lines (stdout).
    private var report: PipeLines
    /// Read end of its report pipe (non-blocking).
    var reportFD: Int32 { report.fd }
    /// Its stderr, when captured (`captureErrors`); otherwise it writes to the daemon's.
    private var errors: PipeLines?
    /// Read end of its stderr pipe, when captured.
    var errorFD: Int32? { errors?.fd }
    /// Write end of its lifeline (closed when the worker is done with).
    private var lifelineFD: Int32

    /// Starts `executable arguments` with `environment` added to the daemon's; with
    /// `captureErrors`, its stderr comes to the daemon through a pipe (`readErrorLines`).
    init(executable: String, arguments: [String], environment: [String: String], captureErrors: Bool = false) throws {
        guard let r = closeOnExecPipe() else { throw DaemonError.system(call: "pipe", errno: errno, detail: "a worker's report pipe") }
        guard let l = closeOnExecPipe() else {
            close(r.read); close(r.write)
            throw DaemonError.system(call: "pipe", errno: errno, detail: "a worker's lifeline")
        }
        var e: (read: Int32, write: Int32)?
        if captureErrors {
            guard let pipe = closeOnExecPipe() else {
                close(r.read); close(r.write); close(l.read); close(l.write)
                throw DaemonError.system(call: "pipe", errno: errno, detail: "a worker's error pipe")
            }
            e = pipe
        }
        let report = [r.read, r.write], lifeline = [l.read, l.write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, lifeline[0], 0)  // dup2 clears close-on-exec
        posix_spawn_file_actions_adddup2(&actions, report[1], 1)
        if let e { posix_spawn_file_actions_adddup2(&actions, e.write, 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Workers start with default signal handling (the daemon's handlers would only write to a
        // pipe the worker does not read).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged = ProcessInfo.processInfo.environment
        for (k, v) in environment { merged[k] = v }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(lifeline[0])
        close(report[1])
        if let e { close(e.write) }
        guard status == 0 else {
            close(lifeline[1]); close(report[0])
            if let e { close(e.read) }
            throw DaemonError.system(call: "posix_spawn", errno: status, detail: executable)
        }
        pid = child
        self.report = PipeLines(fd: report[0])
        errors = e.map { PipeLines(fd: $0.read) }
        lifelineFD = lifeline[1]
    }

    /// Reads what is available of its reports and returns the complete lines; `eof` is true
    /// once the worker closed its end.
    func readLines() -> (lines: [Substring], eof: Bool) { report.read() }

    /// The same for its captured stderr (nothing when not captured).
    func readErrorLines() -> (lines: [Substring], eof: Bool) { errors?.read() ?? ([], true) }

    /// Sends a signal.
    func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    /// Closes the daemon's ends of its pipes.
    func closePipes() {
        if lifelineFD >= 0 { close(lifelineFD); lifelineFD = -1 }
        close(report.fd)
        if let errors { close(errors.fd) }
    }
}

/// Complete lines from the read end of a pipe, made non-blocking.
struct PipeLines {
    let fd: Int32
    /// Bytes read that do not yet end in a newline.
    private var pending: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Reads what is available and returns the complete lines; `eof` once the writer closed.
    mutating func read() -> (lines: [Substring], eof: Bool) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var eof = false
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n > 0 {
                pending += buffer[0..<n]
            } else {
                eof = n == 0 || (errno != EAGAIN && errno != EINTR)
                break
            }
        }
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return ([], eof) }
        let text = String(decoding: pending[...lastNewline], as: UTF8.self)
        pending.removeSubrange(...lastNewline)
        return (text.split(separator: "\n"), eof)
    }
}

/// How a child process ended, as `waitpid` reports it.
enum ExitStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        if status & 0x7f == 0 { self = .exited((status >> 8) & 0xff) } else { self = .signaled(status & 0x7f) }
    }

    var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by \(Self.name(of: signal))"
        }
    }

    static func name(of signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGSEGV: "SIGSEGV (segmentation fault)", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT (abort)", SIGILL: "SIGILL",
            SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP (Swift runtime trap)",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
