/// An n-dimensional, contiguous, row-major array of `Float` or `Double`.
///
/// `Tensor` is a value: operations return new tensors and never modify their inputs. Several
/// tensors may share one storage block (`reshaped`, views into a flat parameter buffer), which
/// is why the element offset is stored alongside the shape.
public struct Tensor: @unchecked Sendable {
    /// Extent of every dimension, outermost first (images are N, C, H, W).
    public let shape: [Int]
    /// The shared element block (replaced, never mutated in place, except by copy-on-write
    /// updates such as `+=` when no other tensor shares it).
    public private(set) var storage: TensorStorage
    /// Index of this tensor's first element inside `storage`.
    public let offset: Int

    /// Number of elements.
    public var count: Int { Shape.count(shape) }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Element type.
    public var dtype: DType { storage.dtype }

    /// Wraps `count(shape)` elements of `storage` starting at `offset`.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        tensorCheck(shape.allSatisfy { $0 >= 0 }, "Tensor.init", "negative extent in shape \(shape)")
        tensorCheck(
            offset >= 0 && offset + Shape.count(shape) <= storage.count, "Tensor.init",
            "shape \(shape) at offset \(offset) does not fit in a storage of \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.offset = offset
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int], dtype: DType = .float32) {
        self.init(shape: shape, storage: TensorStorage(dtype: dtype, count: Shape.count(shape)))
    }

    /// A tensor whose elements the caller will all overwrite before it escapes (kernels only).
    init(uninitialized shape: [Int], dtype: DType) {
        self.init(shape: shape, storage: TensorStorage(dtype: dtype, count: Shape.count(shape), zeroed: false))
    }

    /// A tensor holding `scalars` in row-major order, stored as `dtype`.
    public init<S: BinaryFloatingPoint>(shape: [Int], scalars: [S], dtype: DType = S.self == Double.self ? .float64 : .float32) {
        tensorCheck(
            scalars.count == Shape.count(shape), "Tensor.init",
            "\(scalars.count) scalars cannot fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(zeros: shape, dtype: dtype)
        switch dtype {
        case .float32: let p = pointer(Float.self); for i in scalars.indices { p[i] = Float(scalars[i]) }
        case .float64: let p = pointer(Double.self); for i in scalars.indices { p[i] = Double(scalars[i]) }
        }
    }

    /// A tensor with every element equal to `value`.
    public init(repeating value: Double, shape: [Int], dtype: DType = .float32) {
        self.init(zeros: shape, dtype: dtype)
        if value == 0 { return }
        switch dtype {
        case .float32: pointer(Float.self).update(repeating: Float(value), count: count)
        case .float64: pointer(Double.self).update(repeating: value, count: count)
        }
    }

    /// A rank-0 tensor.
    public init(scalar: Double, dtype: DType = .float32) {
        self.init(repeating: scalar, shape: [], dtype: dtype)
    }

    /// Pointer to the first element, for kernels. Only write through it into a tensor you have
    /// just created and not yet returned.
    @inline(__always) public func pointer<T: TensorScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(T.self) + offset
    }

    /// The elements converted to `Double`, row-major.
    public var doubles: [Double] {
        switch dtype {
        case .float32: let p = pointer(Float.self); return (0..<count).map { Double(p[$0]) }
        case .float64: return Array(UnsafeBufferPointer(start: pointer(Double.self), count: count))
        }
    }

    /// The elements converted to `Float`, row-major.
    public var floats: [Float] { doubles.map { Float($0) } }

    /// The single element of a one-element tensor.
    public var scalarValue: Double {
        tensorCheck(count == 1, "scalarValue", "tensor of shape \(shape) has \(count) elements, not 1")
        return doubles[0]
    }

    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Double {
        tensorCheck(index.count == rank, "subscript", "index \(index) for shape \(shape)")
        var flat = 0
        for (i, extent) in Swift.zip(index, shape) {
            tensorCheck(i >= 0 && i < extent, "subscript", "index \(index) out of bounds for shape \(shape)")
            flat = flat * extent + i
        }
        switch dtype {
        case .float32: return Double(pointer(Float.self)[flat])
        case .float64: return pointer(Double.self)[flat]
        }
    }

    /// A copy in another element type (or `self` when the type already matches).
    public func converted(to target: DType) -> Tensor {
        if target == dtype { return self }
        let out = Tensor(zeros: shape, dtype: target)
        switch (dtype, target) {
        case (.float32, .float64):
            let (s, d) = (pointer(Float.self), out.pointer(Double.self)); for i in 0..<count { d[i] = Double(s[i]) }
        case (.float64, .float32):
            let (s, d) = (pointer(Double.self), out.pointer(Float.self)); for i in 0..<count { d[i] = Float(s[i]) }
        default: break
        }
        return out
    }

    /// A tensor with the same elements in a new shape (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = Shape.resolve(newShape, count: count, op: "reshape")
        return Tensor(shape: resolved, storage: storage, offset: offset)
    }

    /// True when no other tensor shares this storage, so a copy-on-write update may write into it
    /// (never for borrowed memory, which belongs to the caller).
    mutating func isUniquelyReferenced() -> Bool { isKnownUniquelyReferenced(&storage) && !storage.isBorrowed }

    /// A fresh copy that owns its storage (used before handing memory to code that writes).
    public func copy() -> Tensor {
        let out = Tensor(zeros: shape, dtype: dtype)
        out.storage.raw.advanced(by: 0).copyMemory(
            from: storage.raw.advanced(by: offset * dtype.byteSize), byteCount: count * dtype.byteSize)
        return out
    }

    /// True when every element is finite (no NaN or infinity).
    public var isFinite: Bool {
        switch dtype {
        case .float32: let p = pointer(Float.self); for i in 0..<count where !p[i].isFinite { return false }
        case .float64: let p = pointer(Double.self); for i in 0..<count where !p[i].isFinite { return false }
        }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = doubles.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(dtype)>\(shape)[\(values)\(count > 8 ? ", …" : "")]"
    }
}
