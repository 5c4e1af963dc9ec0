/// Work splitting for loops that BLAS does not cover.
///
/// Chunks are a pure function of the problem size and `Parallel.threads`, so every element is
/// computed by the same code in the same order whatever the scheduling: results are
/// bit-identical run to run for a given thread count.
public enum Parallel {
    /// Threads used by Sharp's own loops (BLAS is configured separately via `BLAS.threads`).
    nonisolated(unsafe) public static var threads: Int = defaultThreads()

    /// Sets `threads` for this process and exports it as `SHARP_THREADS`, which plugin kernels and
    /// child processes (daemon workers) read when they start. Call it at start-up, before plugins
    /// load or threads run: `setenv` is not thread-safe.
    public static func configure(threads count: Int) {
        threads = count
        setenv("SHARP_THREADS", String(count), 1)
    }

    /// Below this many scalar operations a loop runs on the calling thread.
    public static let minimumWorkPerThread = 32_768

    static func defaultThreads() -> Int {
        if let env = getenv("SHARP_THREADS").flatMap({ Int(String(cString: $0)) }), env > 0 { return env }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Runs `body(range)` over `0..<count` split into contiguous chunks, in parallel when the
    /// total work (`count * costPerItem`) is large enough.
    @inline(__always)
    public static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, count * costPerItem / minimumWorkPerThread), count)
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        WorkerPool.shared.run(workers) { w in
            let lo = count * w / workers
            let hi = count * (w + 1) / workers
            if lo < hi { body(lo..<hi) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Hands a non-Sendable value (a kernel closure over raw pointers) to worker threads. Safe here
/// because every worker writes a disjoint range and the caller waits for all of them.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
