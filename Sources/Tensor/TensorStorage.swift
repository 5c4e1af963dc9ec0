/// A 64-byte aligned block of elements shared by tensors (views share it).
///
/// Tensors are values: an operation never writes into an input's storage. Kernels write only into
/// storage they have just allocated, before the result escapes.
public final class TensorStorage: @unchecked Sendable {
    public let dtype: DType
    public let count: Int
    let raw: UnsafeMutableRawPointer
    private let byteCount: Int

    /// A block of `count` elements, zeroed unless the caller overwrites every element itself.
    init(dtype: DType, count: Int, zeroed: Bool = true) {
        self.dtype = dtype
        self.count = count
        byteCount = max(count, 1) * dtype.byteSize
        raw = BufferPool.shared.allocate(byteCount: byteCount)
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
    }

    deinit { BufferPool.shared.release(raw, byteCount: byteCount) }

    @inline(__always) func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}
