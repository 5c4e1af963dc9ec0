/// Sums, means and maxima over sets of axes; broadcasting and its adjoint (`summed(toShape:)`).
extension Tensor {
    /// The shape left after reducing `axes` (kept as 1s when `keepingDimensions`).
    static func reducedShape(_ shape: [Int], axes: Set<Int>, keepingDimensions: Bool) -> [Int] {
        var out: [Int] = []
        for (axis, extent) in shape.enumerated() {
            if axes.contains(axis) { if keepingDimensions { out.append(1) } } else { out.append(extent) }
        }
        return out
    }

    private func normalisedAxes(_ axes: [Int]?, op: String) -> Set<Int> {
        guard let axes else { return Set(0..<rank) }
        return Set(axes.map { Shape.axis($0, rank: rank, op: op) })
    }

    /// Sum over `axes` (all axes when nil). Float32 rows are accumulated in Float64.
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        reduce(axes: normalisedAxes(axes, op: "sum"), keepingDimensions: keepingDimensions, isMax: false)
    }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let set = normalisedAxes(axes, op: "mean")
        let n = set.reduce(1) { $0 * shape[$1] }
        return reduce(axes: set, keepingDimensions: keepingDimensions, isMax: false) * (1 / Double(Swift.max(n, 1)))
    }

    /// Maximum over `axes` (all axes when nil).
    public func max(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let set = normalisedAxes(axes, op: "max")
        tensorCheck(set.allSatisfy { shape[$0] > 0 }, "max", "cannot take the maximum over an empty axis of \(shape)")
        return reduce(axes: set, keepingDimensions: keepingDimensions, isMax: true)
    }

    private func reduce(axes: Set<Int>, keepingDimensions: Bool, isMax: Bool) -> Tensor {
        switch dtype {
        case .float32: return reduceKernel(Float.self, axes: axes, keep: keepingDimensions, isMax: isMax)
        case .float64: return reduceKernel(Double.self, axes: axes, keep: keepingDimensions, isMax: isMax)
        }
    }

    private func reduceKernel<T: TensorScalar>(_: T.Type, axes: Set<Int>, keep: Bool, isMax: Bool) -> Tensor {
        let keptShape = Tensor.reducedShape(shape, axes: axes, keepingDimensions: true)
        let out = Tensor(repeating: isMax ? -Double.infinity : 0, shape: keptShape, dtype: dtype)
        let result = keep ? out : out.reshaped(Tensor.reducedShape(shape, axes: axes, keepingDimensions: false))
        let (src, dst) = (pointer(T.self), out.pointer(T.self))
        guard rank > 0, count > 0 else {
            if count == 1 { dst[0] = src[0] }
            return result
        }
        let outStrides = Shape.broadcastStrides(keptShape, to: shape)
        let inner = shape[rank - 1]
        let innerReduced = axes.contains(rank - 1)
        let rows = count / inner
        let outer = Array(shape.dropLast())

        // Rows are independent when the innermost axis is the only reduced one: split them.
        if innerReduced && axes.count == 1 {
            Parallel.forEachChunk(rows, costPerItem: inner) { range in
                for row in range { dst[row] = Self.reduceRow(src + row * inner, inner, isMax: isMax) }
            }
            return result
        }
        var index = [Int](repeating: 0, count: rank - 1)
        for row in 0..<rows {
            var o = 0
            for axis in 0..<(rank - 1) { o += index[axis] * outStrides[axis] }
            let s = src + row * inner
            if innerReduced {
                let v = Self.reduceRow(s, inner, isMax: isMax)
                dst[o] = isMax ? Swift.max(dst[o], v) : dst[o] + v
            } else if isMax {
                let d = dst + o
                for j in 0..<inner where s[j] > d[j] || s[j].isNaN { d[j] = s[j] }
            } else {
                let d = dst + o
                for j in 0..<inner { d[j] += s[j] }
            }
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < outer[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    @inline(__always)
    private static func reduceRow<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int, isMax: Bool) -> T {
        if isMax {
            var m = -T.infinity
            for j in 0..<n where p[j] > m || p[j].isNaN { m = p[j] }
            return m
        }
        if T.self == Float.self {
            var acc = 0.0
            for j in 0..<n { acc += Double(p[j]) }
            return T(acc)
        }
        var acc: T = 0
        for j in 0..<n { acc += p[j] }
        return acc
    }

    /// This tensor stretched to `target` by NumPy broadcasting (a copy).
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        _ = Shape.broadcast(shape, target, op: "broadcast")
        tensorCheck(Shape.broadcast(shape, target, op: "broadcast") == target, "broadcast", "cannot broadcast \(shape) to \(target)")
        return Tensor(zeros: target, dtype: dtype) + self
    }

    /// The adjoint of broadcasting: sums the axes that broadcasting `target` to `shape` stretched.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        tensorCheck(lead >= 0, "sumToShape", "cannot reduce \(shape) to the larger rank of \(target)")
        var axes = Array(0..<lead)
        for (i, extent) in target.enumerated() where extent == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        for (i, extent) in target.enumerated() {
            tensorCheck(extent == 1 || extent == shape[lead + i], "sumToShape", "cannot reduce \(shape) to \(target)")
        }
        return sum(axes: axes, keepingDimensions: true).reshaped(target)
    }

    /// Dot product of all elements, accumulated in Float64.
    public func dot(_ other: Tensor) -> Double {
        tensorCheck(count == other.count && dtype == other.dtype, "dot", "shapes \(shape) and \(other.shape) (\(dtype), \(other.dtype))")
        var acc = 0.0
        switch dtype {
        case .float32:
            let (a, b) = (pointer(Float.self), other.pointer(Float.self)); for i in 0..<count { acc += Double(a[i]) * Double(b[i]) }
        case .float64:
            let (a, b) = (pointer(Double.self), other.pointer(Double.self)); for i in 0..<count { acc += a[i] * b[i] }
        }
        return acc
    }
}
