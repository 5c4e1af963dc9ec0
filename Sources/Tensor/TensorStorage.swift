/// A 64-byte aligned block of elements shared by tensors (views share it).
///
/// Tensors are values: an operation never writes into an input's storage. Kernels write only into
/// storage they have just allocated, before the result escapes.
public final class TensorStorage: @unchecked Sendable {
    public let dtype: DType
    public let count: Int
    let raw: UnsafeMutableRawPointer
    private let byteCount: Int
    /// True for memory the caller owns (`borrowing`): never freed here, never written in place.
    let isBorrowed: Bool

    /// A block of `count` elements, zeroed unless the caller overwrites every element itself.
    init(dtype: DType, count: Int, zeroed: Bool = true) {
        self.dtype = dtype
        self.count = count
        byteCount = max(count, 1) * dtype.byteSize
        raw = BufferPool.shared.allocate(byteCount: byteCount)
        isBorrowed = false
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
    }

    private init(borrowing memory: UnsafeRawPointer, dtype: DType, count: Int) {
        self.dtype = dtype
        self.count = count
        byteCount = count * dtype.byteSize
        raw = UnsafeMutableRawPointer(mutating: memory)
        isBorrowed = true
    }

    deinit { if !isBorrowed { BufferPool.shared.release(raw, byteCount: byteCount) } }

    /// Runs `body` with a storage that views `count` elements of caller-owned memory without
    /// copying them: how a gradient oracle reads the parameter buffer an optimizer plugin hands
    /// it (a 4 MB copy per pass would cost the mlp a third of a gradient). The memory must stay
    /// unchanged while `body` runs, and no tensor viewing the storage may outlive `body`;
    /// the second is checked, because an escaped view would read freed or rewritten memory.
    public static func borrowing<R>(
        _ memory: UnsafeRawPointer, dtype: DType, count: Int, _ body: (TensorStorage) throws -> R
    ) rethrows -> R {
        var storage = TensorStorage(borrowing: memory, dtype: dtype, count: count)
        let result = try body(storage)
        if !isKnownUniquelyReferenced(&storage) {
            fatalError("TensorStorage.borrowing: a tensor viewing borrowed memory outlived the call (copy() it instead)")
        }
        return result
    }

    @inline(__always) func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}
