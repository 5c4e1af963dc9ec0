/// Copies that rearrange elements: permute, slice and its adjoint (embed), concat, roll,
/// and gather/scatter by flat index.
extension Tensor {
    /// Axes reordered: result axis i is this tensor's axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        tensorCheck(axes.sorted() == Array(0..<rank), "permute", "\(axes) is not a permutation of the axes of \(shape)")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        let srcStrides = Shape.strides(shape)
        return stridedCopy(outShape: outShape, sourceStrides: axes.map { srcStrides[$0] }, sourceOffset: 0)
    }

    /// Copies `outShape` elements reading the source at `sourceOffset + Σ index·sourceStrides`.
    func stridedCopy(outShape: [Int], sourceStrides: [Int], sourceOffset: Int) -> Tensor {
        switch dtype {
        case .float32: return stridedCopyKernel(Float.self, outShape, sourceStrides, sourceOffset)
        case .float64: return stridedCopyKernel(Double.self, outShape, sourceStrides, sourceOffset)
        }
    }

    private func stridedCopyKernel<T: TensorScalar>(_: T.Type, _ outShape: [Int], _ ss: [Int], _ base: Int) -> Tensor {
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        let (src, dst) = (pointer(T.self) + base, out.pointer(T.self))
        let r = outShape.count
        guard r > 0, out.count > 0 else {
            if out.count == 1 { dst[0] = src[0] }
            return out
        }
        let inner = outShape[r - 1]
        let innerStride = ss[r - 1]
        let rows = out.count / inner
        let outer = Array(outShape.dropLast())
        Parallel.forEachChunk(rows, costPerItem: inner) { range in
            var index = Shape.index(ofRow: range.lowerBound, in: outer)
            for row in range {
                var o = 0
                for axis in 0..<(r - 1) { o += index[axis] * ss[axis] }
                let d = dst + row * inner
                if innerStride == 1 {
                    d.update(from: src + o, count: inner)
                } else {
                    for j in 0..<inner { d[j] = src[o + j * innerStride] }
                }
                Shape.advance(&index, in: outer)
            }
        }
        return out
    }

    /// The block `lower[i] ..< lower[i] + sizes[i]` on every axis.
    public func sliced(lower: [Int], sizes: [Int]) -> Tensor {
        tensorCheck(lower.count == rank && sizes.count == rank, "slice", "lower \(lower) and sizes \(sizes) for shape \(shape)")
        for axis in 0..<rank {
            tensorCheck(
                lower[axis] >= 0 && sizes[axis] >= 0 && lower[axis] + sizes[axis] <= shape[axis], "slice",
                "block at \(lower) of size \(sizes) exceeds shape \(shape)")
        }
        let strides = Shape.strides(shape)
        let base = Swift.zip(lower, strides).reduce(0) { $0 + $1.0 * $1.1 }
        return stridedCopy(outShape: sizes, sourceStrides: strides, sourceOffset: base)
    }

    /// `count` entries starting at `start` along one axis.
    public func sliced(axis: Int, start: Int, count length: Int) -> Tensor {
        let block = Shape.block(of: shape, axis: axis, start: start, count: length, op: "slice")
        return sliced(lower: block.lower, sizes: block.sizes)
    }

    /// The adjoint of `sliced(lower:sizes:)`: this tensor placed at `lower` inside zeros of `shape`.
    public func embedded(in outerShape: [Int], at lower: [Int]) -> Tensor {
        tensorCheck(lower.count == rank && outerShape.count == rank, "embed", "lower \(lower) for shapes \(shape) in \(outerShape)")
        for axis in 0..<rank {
            tensorCheck(
                lower[axis] >= 0 && lower[axis] + shape[axis] <= outerShape[axis], "embed",
                "block \(shape) at \(lower) exceeds \(outerShape)")
        }
        let out = Tensor(zeros: outerShape, dtype: dtype)
        out.write(self, at: lower)
        return out
    }

    /// Writes `block` at `lower` into this tensor's storage. Only for freshly created tensors.
    func write(_ block: Tensor, at lower: [Int]) {
        switch dtype {
        case .float32: writeKernel(Float.self, block, lower)
        case .float64: writeKernel(Double.self, block, lower)
        }
    }

    private func writeKernel<T: TensorScalar>(_: T.Type, _ block: Tensor, _ lower: [Int]) {
        let strides = Shape.strides(shape)
        let base = Swift.zip(lower, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let (src, dst) = (block.pointer(T.self), pointer(T.self) + base)
        guard block.rank > 0 else { dst[0] = src[0]; return }
        let inner = block.shape[block.rank - 1]
        guard inner > 0 else { return }
        let rows = block.count / inner
        let outer = Array(block.shape.dropLast())
        var index = [Int](repeating: 0, count: block.rank - 1)
        for row in 0..<rows {
            var o = 0
            for axis in 0..<(block.rank - 1) { o += index[axis] * strides[axis] }
            (dst + o).update(from: src + row * inner, count: inner)
            Shape.advance(&index, in: outer)
        }
    }

    /// Tensors joined along `axis`; all other extents must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        tensorCheck(!parts.isEmpty, "concat", "no tensors to concatenate")
        let first = parts[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concat")
        var outShape = first.shape
        outShape[a] = 0
        for part in parts {
            var s = part.shape
            tensorCheck(part.rank == first.rank && part.dtype == first.dtype, "concat", "shapes \(parts.map(\.shape)) (dtypes differ or ranks differ)")
            s[a] = first.shape[a]
            tensorCheck(s == first.shape, "concat", "shapes \(parts.map(\.shape)) differ off axis \(a)")
            outShape[a] += part.shape[a]
        }
        let out = Tensor(zeros: outShape, dtype: first.dtype)
        var lower = [Int](repeating: 0, count: first.rank)
        for part in parts {
            out.write(part, at: lower)
            lower[a] += part.shape[a]
        }
        return out
    }

    /// Circular shift: element i moves to (i + shift) mod n along each axis (torch.roll).
    public func rolled(shifts: [Int], axes: [Int]) -> Tensor {
        tensorCheck(shifts.count == axes.count, "roll", "\(shifts.count) shifts for \(axes.count) axes")
        var result = self
        for (shift, axis) in Swift.zip(shifts, axes) {
            let a = Shape.axis(axis, rank: rank, op: "roll")
            let n = shape[a]
            guard n > 0 else { continue }
            let s = ((shift % n) + n) % n
            if s == 0 { continue }
            let tail = result.sliced(axis: a, start: n - s, count: s)
            let head = result.sliced(axis: a, start: 0, count: n - s)
            result = Tensor.concatenate([tail, head], axis: a)
        }
        return result
    }

    /// Elements at flat (row-major) positions: `result[i] = self.flat[indices[i]]`, in `shape`.
    public func gathered(flatIndices indices: [Int], shape outShape: [Int]) -> Tensor {
        tensorCheck(indices.count == Shape.count(outShape), "gather", "\(indices.count) indices for output shape \(outShape)")
        let n = count
        tensorCheck(indices.allSatisfy { $0 >= 0 && $0 < n }, "gather", "an index is out of range for shape \(shape)")
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        switch dtype {
        case .float32:
            let (s, d) = (pointer(Float.self), out.pointer(Float.self)); for i in indices.indices { d[i] = s[indices[i]] }
        case .float64:
            let (s, d) = (pointer(Double.self), out.pointer(Double.self)); for i in indices.indices { d[i] = s[indices[i]] }
        }
        return out
    }

    /// The adjoint of `gathered`: zeros of `shape` with `self.flat[i]` added at `indices[i]`.
    public func scatterAdded(flatIndices indices: [Int], shape outShape: [Int]) -> Tensor {
        tensorCheck(indices.count == count, "scatterAdd", "\(indices.count) indices for \(count) values of shape \(shape)")
        let n = Shape.count(outShape)
        tensorCheck(indices.allSatisfy { $0 >= 0 && $0 < n }, "scatterAdd", "an index is out of range for shape \(outShape)")
        let out = Tensor(zeros: outShape, dtype: dtype)
        switch dtype {
        case .float32:
            let (s, d) = (pointer(Float.self), out.pointer(Float.self)); for i in indices.indices { d[indices[i]] += s[i] }
        case .float64:
            let (s, d) = (pointer(Double.self), out.pointer(Double.self)); for i in indices.indices { d[indices[i]] += s[i] }
        }
        return out
    }
}
