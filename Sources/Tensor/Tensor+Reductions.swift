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
        if let fast = Self.reduceGrouped(T.self, src, dst, shape: shape, axes: axes, isMax: isMax) {
            _ = fast
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
            Shape.advance(&index, in: outer)
        }
        return result
    }

    /// Reductions whose axes, after merging neighbours of the same kind, form one of the common
    /// patterns R, K·R, R·K, R·K·R (BatchNorm statistics) or K·R·K (means over tokens). Each
    /// output element is computed by one worker in a fixed order (deterministic); returns nil
    /// for other patterns.
    private static func reduceGrouped<T: TensorScalar>(
        _: T.Type, _ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, shape: [Int], axes: Set<Int>, isMax: Bool
    ) -> Bool? {
        var groups: [(extent: Int, reduced: Bool)] = []
        for (axis, extent) in shape.enumerated() where extent != 1 {
            let reduced = axes.contains(axis)
            if let last = groups.last, last.reduced == reduced {
                groups[groups.count - 1].extent *= extent
            } else {
                groups.append((extent, reduced))
            }
        }
        let pattern = groups.map { $0.reduced ? "R" : "K" }.joined()
        let e = groups.map(\.extent)
        switch pattern {
        case "R":
            dst[0] = reduceRow(src, e[0], isMax: isMax)
        case "KR":
            Parallel.forEachChunk(e[0], costPerItem: e[1]) { range in
                for k in range { dst[k] = reduceRow(src + k &* e[1], e[1], isMax: isMax) }
            }
        case "RKR":
            // out[k] = Σ_a Σ_b x[a, k, b]: per channel, rows of b summed in Float64.
            let (a, kept, b) = (e[0], e[1], e[2])
            Parallel.forEachChunk(kept, costPerItem: a * b) { range in
                for k in range {
                    var maximum = -T.infinity
                    var total = 0.0
                    for i in 0..<a {
                        let v = reduceRow(src + (i &* kept &+ k) &* b, b, isMax: isMax)
                        if isMax { maximum = v > maximum || v.isNaN ? v : maximum } else { total += Double(v) }
                    }
                    dst[k] = isMax ? maximum : T(total)
                }
            }
        case "RK", "KRK":
            // out[o, k] = Σ_r x[o, r, k]: accumulate whole rows, split over k columns.
            let (outer, r, k) = pattern == "RK" ? (1, e[0], e[1]) : (e[0], e[1], e[2])
            Parallel.forEachChunk(k, costPerItem: outer * r) { columns in
                for o in 0..<outer {
                    let d = dst + o &* k
                    for j in columns { d[j] = isMax ? -T.infinity : 0 }
                    for i in 0..<r {
                        let s = src + (o &* r &+ i) &* k
                        if isMax {
                            for j in columns where s[j] > d[j] || s[j].isNaN { d[j] = s[j] }
                        } else {
                            for j in columns { d[j] += s[j] }
                        }
                    }
                }
            }
        default:
            return nil
        }
        return true
    }

    @inline(__always)
    private static func reduceRow<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int, isMax: Bool) -> T {
        if isMax {
            var m = -T.infinity
            for j in 0..<n where p[j] > m || p[j].isNaN { m = p[j] }
            return m
        }
        return T(Self.pairwiseLaneSum(p, n))
    }

    /// Σ p[0..<n] in Float64 with eight independent lanes (SIMD), combined in a fixed order:
    /// deterministic, and not limited by the latency of one serial chain of additions.
    @inline(__always)
    static func pairwiseLaneSum<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> Double {
        var lanes = SIMD8<Double>()
        var j = 0
        let raw = UnsafeRawPointer(p)
        if T.self == Float.self {
            while j &+ 8 <= n {
                lanes += SIMD8<Double>(raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self))
                j &+= 8
            }
        } else {
            while j &+ 8 <= n {
                lanes += raw.loadUnaligned(fromByteOffset: j &* 8, as: SIMD8<Double>.self)
                j &+= 8
            }
        }
        var total = lanes.sum()
        while j < n {
            total += Double(p[j])
            j &+= 1
        }
        return total
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

    /// Σ a[0..<n]·b[0..<n] in Float64 over eight lanes, combined in a fixed order (as
    /// `pairwiseLaneSum`).
    @inline(__always)
    static func pairwiseLaneDot<T: TensorScalar>(_ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ n: Int) -> Double {
        var lanes = SIMD8<Double>()
        var j = 0
        while j &+ 8 <= n {
            var block = SIMD8<Double>()
            for l in 0..<8 { block[l] = Double(a[j &+ l]) * Double(b[j &+ l]) }
            lanes += block
            j &+= 8
        }
        var dot = lanes.sum()
        while j < n {
            dot += Double(a[j]) * Double(b[j])
            j &+= 1
        }
        return dot
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
