import Foundation
import Glibc

/// A worker's stdin is a pipe whose other end only the daemon holds. End-of-file on it means
/// the daemon is gone (even if it was SIGKILLed), so the worker stops at once instead of
/// finishing jobs the next daemon will hand out again.
enum WorkerLifeline {
    static func exitWhenDaemonDies() {
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(0, &byte, 1)
                if n == 0 || (n < 0 && errno != EINTR) { _exit(75) }
            }
        }
        thread.start()
    }
}
