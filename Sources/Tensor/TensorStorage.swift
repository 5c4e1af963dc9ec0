/// A 64-byte aligned, zero-initialised block of elements shared by tensors (views share it).
///
/// Tensors are values: an operation never writes into an input's storage. Kernels write only into
/// storage they have just allocated, before the result escapes.
public final class TensorStorage: @unchecked Sendable {
    public let dtype: DType
    public let count: Int
    let raw: UnsafeMutableRawPointer

    init(dtype: DType, count: Int) {
        self.dtype = dtype
        self.count = count
        let bytes = max(count, 1) * dtype.byteSize
        raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    deinit { raw.deallocate() }

    @inline(__always) func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}
