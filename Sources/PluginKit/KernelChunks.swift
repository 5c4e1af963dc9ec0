import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits a flat-buffer kernel into fixed chunks and runs them on `threads` workers.
///
/// An optimizer step touches every parameter several times (norm, perturbed point, Adam's
/// moments): on a dense model with a million weights and a cheap gradient that is as much time
/// as the gradient passes themselves, so the kernels use every core the host uses. Chunk edges
/// depend only on the element count, never on the thread count, and sums add their chunk totals
/// in chunk order: results are bit-identical for any number of threads.
enum KernelChunks {
    /// Elements per chunk: a multiple of `FloatSums`' 4,096-element blocks.
    static let size = 1 << 16
    /// Below this many elements a kernel runs on the calling thread (dispatch costs ~10 µs).
    static let parallelMinimum = 4 * size

    /// Worker threads: `SHARP_THREADS` (which `sharp --threads` sets before loading plugins),
    /// else every online CPU; read once, when the plugin is loaded.
    static let threads: Int = {
        if let text = getenv("SHARP_THREADS"), let n = Int(String(cString: text)), n > 0 { return n }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }()

    /// Runs `body` over every chunk of `0..<count`, in parallel when the buffer is large.
    @inline(__always) static func forEach(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = (count + size - 1) / size
        let workers = count < parallelMinimum ? 1 : min(threads, chunks)
        if workers <= 1 {
            for chunk in 0..<chunks { body(chunk * size..<min((chunk + 1) * size, count)) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = SendableBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var chunk = worker
                while chunk < chunks {
                    task.value(chunk * size..<min((chunk + 1) * size, count))
                    chunk += workers
                }
            }
        }
    }

    /// Σ over chunks of `partial(chunk)`, added in chunk order.
    @inline(__always) static func sum(_ count: Int, _ partial: (Range<Int>) -> Double) -> Double {
        let chunks = (count + size - 1) / size
        if chunks <= 1 { return count > 0 ? partial(0..<count) : 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { totals in
            let out = SendableBox(totals)
            forEach(count) { range in out.value[range.lowerBound / size] = partial(range) }
            return totals.reduce(0, +)
        }
    }
}

/// Hands a closure or buffer to worker threads. Safe here because every worker touches a
/// disjoint chunk and the caller waits for all of them.
struct SendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension UnsafeBufferPointer {
    /// Elements `range` as a buffer of their own.
    @inline(__always) func chunk(_ range: Range<Int>) -> UnsafeBufferPointer { UnsafeBufferPointer(rebasing: self[range]) }
}

extension UnsafeMutableBufferPointer {
    /// Elements `range` as a buffer of their own.
    @inline(__always) func chunk(_ range: Range<Int>) -> UnsafeMutableBufferPointer { UnsafeMutableBufferPointer(rebasing: self[range]) }
}
