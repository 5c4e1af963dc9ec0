/// A 64-byte aligned, zero-initialised block of elements shared by tensors (views share it).
///
/// Tensors are values: an operation never writes into an input's storage. Kernels write only into
/// storage they have just allocated, before the result escapes.
public final class TensorStorage: @unchecked Sendable {
    public let dtype: DType
    public let count: Int
    let raw: UnsafeMutableRawPointer

    /// A block of `count` elements, zeroed unless the caller overwrites every element itself.
    init(dtype: DType, count: Int, zeroed: Bool = true) {
        _ = Allocation.configureOnce
        self.dtype = dtype
        self.count = count
        let bytes = max(count, 1) * dtype.byteSize
        raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
    }

    deinit { raw.deallocate() }

    @inline(__always) func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}

import CMalloc

/// Process-wide allocator settings for tensor-sized blocks.
enum Allocation {
    /// A training or Hessian step allocates and frees the same multi-megabyte blocks over and
    /// over. By default glibc serves blocks over 128 KiB with fresh `mmap`s and unmaps them on
    /// free, so every step page-faults its memory back in, zeroed by the kernel (a fifth of a
    /// convolution's time in a profile). Raising the thresholds keeps freed blocks (up to 32 MiB
    /// each) in the heap for reuse.
    static let configureOnce: Void = {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }()
}
