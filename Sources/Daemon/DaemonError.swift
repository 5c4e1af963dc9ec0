import Glibc

/// Why the daemon (or one of its worker processes) cannot go on, in one line naming the fix.
public enum DaemonError: Error, CustomStringConvertible, Sendable {
    /// Another daemon holds the store's lock.
    case storeBusy(store: String, pid: String)
    /// The store directory cannot be used.
    case store(String)
    /// A system call failed.
    case system(call: String, errno: Int32, detail: String)
    /// A worker or the planner printed something sharpd does not write.
    case protocolViolation(String)
    /// The metric plan could not be made (a requested plugin is missing, a bad value, ...).
    case plan(String)
    /// `--http`: the server could not start.
    case http(String)

    public var description: String {
        switch self {
        case .storeBusy(let store, let pid):
            return "another sharpd (pid \(pid)) is already running on \(store) on this host; stop it first (kill -TERM \(pid)), "
                + "or give a second simulated host its own SHARP_HOST"
        case .store(let message): return message
        case .system(let call, let code, let detail):
            return "\(call) failed for \(detail): \(String(cString: strerror(code)))"
        case .protocolViolation(let message): return "internal error: \(message)"
        case .plan(let message): return message
        case .http(let message): return message
        }
    }
}
