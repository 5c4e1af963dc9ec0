import Synchronization

/// Reuses large tensor buffers instead of returning them to the C allocator.
///
/// A training or Hessian step allocates and frees the same multi-megabyte blocks every
/// iteration. Through malloc those blocks fragmented the heap (resident memory grew by ~20 MB
/// per HVP on vgg-mini) and every step faulted fresh, kernel-zeroed pages back in (a fifth of
/// the run time). Blocks of 64 KiB and more are therefore kept on free lists keyed by their
/// size (rounded up to 64 KiB), up to a cap (`SHARP_BUFFER_CACHE_MB`, default 1024); smaller
/// blocks go straight to malloc, which handles them well.
public final class BufferPool: Sendable {
    /// The process-wide pool used by every tensor.
    public static let shared = BufferPool(capacityBytes: defaultCapacity())

    static let minimumPooledBytes = 64 << 10
    private static let alignment = 64

    private struct State {
        var free: [Int: [UInt]] = [:]  // addresses, so the state is Sendable
        var cachedBytes = 0
    }

    private let state = Mutex(State())
    private let capacityBytes: Int

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    private static func defaultCapacity() -> Int {
        if let text = getenv("SHARP_BUFFER_CACHE_MB").map({ String(cString: $0) }), let mb = Int(text), mb >= 0 { return mb << 20 }
        return 1024 << 20
    }

    private static func sizeClass(_ byteCount: Int) -> Int {
        byteCount < minimumPooledBytes ? byteCount : (byteCount + minimumPooledBytes - 1) / minimumPooledBytes * minimumPooledBytes
    }

    /// A block of at least `byteCount` bytes, 64-byte aligned, contents undefined.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.sizeClass(byteCount)
        if size >= Self.minimumPooledBytes {
            let reused = state.withLock { s -> UInt? in
                guard let block = s.free[size]?.popLast() else { return nil }
                s.cachedBytes -= size
                return block
            }
            if let reused, let block = UnsafeMutableRawPointer(bitPattern: reused) { return block }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.alignment)
    }

    /// Returns a block obtained from `allocate(byteCount:)` with the same `byteCount`.
    public func release(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Self.sizeClass(byteCount)
        if size >= Self.minimumPooledBytes {
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + size <= capacityBytes else { return false }
                s.free[size, default: []].append(UInt(bitPattern: block))
                s.cachedBytes += size
                return true
            }
            if kept { return }
        }
        block.deallocate()
    }

    /// Bytes currently held for reuse.
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}

#if canImport(Glibc)
    import Glibc
#endif
