import Glibc

/// pipe(2) with both ends close-on-exec (Glibc does not export pipe2, a GNU extension), so
/// worker processes inherit only the descriptors they are given explicitly. The daemon is
/// single-threaded, so no fork can slip in between pipe and fcntl.
func closeOnExecPipe(nonBlocking: Bool = false) -> (read: Int32, write: Int32)? {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return (fds[0], fds[1])
}
