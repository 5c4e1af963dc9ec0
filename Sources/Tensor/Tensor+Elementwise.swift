import CKernels
/// Elementwise maps with NumPy broadcasting.
extension Tensor {
    /// Applies `f` to every element. Internal: specialised per function inside this module
    /// (a cross-module call of a generic would run unspecialised, ~10× slower).
    func map<F: UnaryFunction>(_ f: F) -> Tensor {
        switch dtype {
        case .float32: return mapKernel(f, Float.self)
        case .float64: return mapKernel(f, Double.self)
        }
    }

    @inline(__always)
    private func mapKernel<F: UnaryFunction, T: TensorScalar>(_ f: F, _: T.Type) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let (src, dst) = (pointer(T.self), out.pointer(T.self))
        Parallel.forEachChunk(count, costPerItem: 4) { range in
            for i in range { dst[i] = f(src[i]) }
        }
        return out
    }

    /// Combines `self` and `other` elementwise after broadcasting both to a common shape.
    func combined<F: BinaryFunction>(with other: Tensor, _ f: F, op: String) -> Tensor {
        tensorCheck(dtype == other.dtype, op, "dtypes \(dtype) and \(other.dtype) differ (shapes \(shape), \(other.shape))")
        switch dtype {
        case .float32: return zipKernel(other, f, Float.self, op: op)
        case .float64: return zipKernel(other, f, Double.self, op: op)
        }
    }

    private func zipKernel<F: BinaryFunction, T: TensorScalar>(_ other: Tensor, _ f: F, _: T.Type, op: String) -> Tensor {
        let (a, b) = (pointer(T.self), other.pointer(T.self))
        if shape == other.shape {
            let out = Tensor(uninitialized: shape, dtype: dtype)
            let c = out.pointer(T.self)
            Parallel.forEachChunk(count, costPerItem: 2) { range in
                for i in range { c[i] = f(a[i], b[i]) }
            }
            return out
        }
        if other.count == 1 {
            let out = Tensor(uninitialized: shape, dtype: dtype)
            let (c, y) = (out.pointer(T.self), b[0])
            Parallel.forEachChunk(count, costPerItem: 2) { range in for i in range { c[i] = f(a[i], y) } }
            return out
        }
        if count == 1 && other.count >= 1 && other.rank >= rank {
            let out = Tensor(uninitialized: other.shape, dtype: dtype)
            let (c, x) = (out.pointer(T.self), a[0])
            Parallel.forEachChunk(other.count, costPerItem: 2) { range in for i in range { c[i] = f(x, b[i]) } }
            return out
        }
        let outShape = Shape.broadcast(shape, other.shape, op: op)
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        let c = out.pointer(T.self)
        guard !outShape.isEmpty, out.count > 0 else {
            if out.count == 1 { c[0] = f(a[0], b[0]) }
            return out
        }
        let collapsed = Shape.collapse(
            outShape, [Shape.broadcastStrides(shape, to: outShape), Shape.broadcastStrides(other.shape, to: outShape)])
        let loopShape = collapsed.shape
        let (sa, sb) = (collapsed.strides[0], collapsed.strides[1])
        let rank = loopShape.count
        // Iterate over rows of the innermost axis; each row is a strided 1-D loop.
        let inner = loopShape[rank - 1]
        let (ia, ib) = (sa[rank - 1], sb[rank - 1])
        let rows = out.count / Swift.max(inner, 1)
        let outerShape = Array(loopShape.dropLast())
        Parallel.forEachChunk(rows, costPerItem: inner * 2) { range in
            var index = Shape.index(ofRow: range.lowerBound, in: outerShape)
            for row in range {
                var oa = 0
                var ob = 0
                for axis in 0..<(rank - 1) {
                    oa += index[axis] * sa[axis]
                    ob += index[axis] * sb[axis]
                }
                let (dst, pa, pb) = (c + row * inner, a + oa, b + ob)
                if ia == 1 && ib == 1 {
                    for j in 0..<inner { dst[j] = f(pa[j], pb[j]) }
                } else if ia == 1 && ib == 0 {
                    let y = pb[0]
                    for j in 0..<inner { dst[j] = f(pa[j], y) }
                } else if ia == 0 && ib == 1 {
                    let x = pa[0]
                    for j in 0..<inner { dst[j] = f(x, pb[j]) }
                } else {
                    for j in 0..<inner { dst[j] = f(pa[j &* ia], pb[j &* ib]) }
                }
                Shape.advance(&index, in: outerShape)
            }
        }
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.combined(with: b, Binary.Add(), op: "add") }

    /// `a = a + b` with `b` broadcast to `a`'s shape. Copy-on-write: when no other tensor shares
    /// `a`'s storage the sum is written into it (no allocation, one pass), otherwise `a` becomes
    /// a new tensor; either way no other tensor sees a change.
    public static func += (a: inout Tensor, b: Tensor) {
        tensorCheck(a.dtype == b.dtype, "add", "dtypes \(a.dtype) and \(b.dtype) differ (shapes \(a.shape), \(b.shape))")
        tensorCheck(Shape.broadcast(a.shape, b.shape, op: "add") == a.shape, "add", "cannot add \(b.shape) into \(a.shape) in place")
        guard a.count > 0, a.isUniquelyReferenced() else { a = a + b; return }
        switch a.dtype {
        case .float32: a.updateKernel(b, Binary.Add(), Float.self)
        case .float64: a.updateKernel(b, Binary.Add(), Double.self)
        }
    }

    /// `self[i] = f(self[i], other[i])` in place, `other` broadcast to this shape; only for
    /// storage nobody else holds. The loops read and write through one pointer: with separate
    /// source and destination pointers to the same memory the vectoriser's overlap check fails
    /// and the scalar loop runs.
    private func updateKernel<F: BinaryFunction, T: TensorScalar>(_ other: Tensor, _ f: F, _: T.Type) {
        let (a, b) = (pointer(T.self), other.pointer(T.self))
        if shape == other.shape {
            Parallel.forEachChunk(count, costPerItem: 2) { range in for i in range { a[i] = f(a[i], b[i]) } }
            return
        }
        if other.count == 1 {
            let y = b[0]
            Parallel.forEachChunk(count, costPerItem: 2) { range in for i in range { a[i] = f(a[i], y) } }
            return
        }
        // Rows of the innermost collapsed axis; `other` is strided (0 along broadcast axes).
        let collapsed = Shape.collapse(shape, [Shape.broadcastStrides(shape, to: shape), Shape.broadcastStrides(other.shape, to: shape)])
        let (loopShape, sb) = (collapsed.shape, collapsed.strides[1])
        let rank = loopShape.count
        let (inner, ib) = (loopShape[rank - 1], sb[rank - 1])
        let outerShape = Array(loopShape.dropLast())
        Parallel.forEachChunk(count / Swift.max(inner, 1), costPerItem: inner * 2) { range in
            for row in range {
                var (rem, ob) = (row, 0)
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    ob += (rem % outerShape[axis]) * sb[axis]
                    rem /= outerShape[axis]
                }
                let (pa, pb) = (a + row * inner, b + ob)
                if ib == 0 {
                    let y = pb[0]
                    for j in 0..<inner { pa[j] = f(pa[j], y) }
                } else if ib == 1 {
                    for j in 0..<inner { pa[j] = f(pa[j], pb[j]) }
                } else {
                    for j in 0..<inner { pa[j] = f(pa[j], pb[j &* ib]) }
                }
            }
        }
    }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.combined(with: b, Binary.Subtract(), op: "subtract") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.combined(with: b, Binary.Multiply(), op: "multiply") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.combined(with: b, Binary.Divide(), op: "divide") }
    public static prefix func - (a: Tensor) -> Tensor { a.map(Unary.Negate()) }
    public static func * (a: Tensor, s: Double) -> Tensor { a.map(Unary.Scale(factor: s)) }
    public static func * (s: Double, a: Tensor) -> Tensor { a.map(Unary.Scale(factor: s)) }
    public static func + (a: Tensor, s: Double) -> Tensor { a.map(Unary.Shift(amount: s)) }
    public static func - (a: Tensor, s: Double) -> Tensor { a.map(Unary.Shift(amount: -s)) }
    public static func / (a: Tensor, s: Double) -> Tensor { a.map(Unary.Scale(factor: 1 / s)) }

    public func exp() -> Tensor { map(Unary.Exp()) }
    public func log() -> Tensor { map(Unary.Log()) }
    public func sqrt() -> Tensor { map(Unary.Sqrt()) }
    public func tanh() -> Tensor { map(Unary.Tanh()) }
    public func erf() -> Tensor { map(Unary.Erf()) }
    public func relu() -> Tensor { map(Unary.ReLU()) }
    public func gelu() -> Tensor { dtype == .float32 ? floatGELU(value: true, slope: false).value! : map(Unary.GELU()) }
    public func squared() -> Tensor { map(Unary.Square()) }
    public func abs() -> Tensor { map(Unary.Abs()) }
    public func sigmoid() -> Tensor { map(Unary.Sigmoid()) }
    public func pow(_ exponent: Double) -> Tensor { map(Unary.Power(exponent: exponent)) }
    /// 1 where x > 0, else 0 (ReLU's derivative, 0 at 0 as in PyTorch).
    public func positiveMask() -> Tensor { map(Unary.PositiveMask()) }
    /// `self` where `reference` > 0, else 0 (same shapes): `self · reference.positiveMask()` in one pass.
    public func gated(byPositive reference: Tensor) -> Tensor {
        tensorCheck(shape == reference.shape, "gated", "values \(shape) and reference \(reference.shape) differ")
        return combined(with: reference, Binary.PositiveGate(), op: "gated")
    }
    /// `self · GELU''(x)` = self·φ(x)·(2 − x²) in one pass (same shapes): the pullback of GELU's
    /// slope, which an HVP's second sweep runs for every GELU.
    public func timesGELUCurvature(at x: Tensor) -> Tensor {
        tensorCheck(shape == x.shape, "timesGELUCurvature", "gradient \(shape) and input \(x.shape) differ")
        return combined(with: x, Binary.GELUCurvatureGate(), op: "timesGELUCurvature")
    }
    /// −1, 0 or 1.
    public func sign() -> Tensor { map(Unary.Sign()) }
    /// d/dx GELU(x) = Φ(x) + x·φ(x).
    public func geluDerivative() -> Tensor {
        dtype == .float32 ? floatGELU(value: false, slope: true).slope! : map(Unary.GELUDerivative())
    }
    /// 1 where the elements are equal (after broadcasting), else 0.
    public func equalMask(_ other: Tensor, op: String = "equalMask") -> Tensor { combined(with: other, Binary.EqualMask(), op: op) }
    /// 1 where self > other (after broadcasting), else 0.
    public func greaterMask(_ other: Tensor, op: String = "greaterMask") -> Tensor { combined(with: other, Binary.GreaterMask(), op: op) }
    public func maximum(_ other: Tensor) -> Tensor { combined(with: other, Binary.Maximum(), op: "maximum") }
    public func minimum(_ other: Tensor) -> Tensor { combined(with: other, Binary.Minimum(), op: "minimum") }
}

/// GELU with its slope, for a pullback that should not recompute either.
extension Tensor {
    /// x·Φ(x) and its derivative Φ(x) + x·φ(x) in one pass (for Float, Φ and φ share one exp).
    public func geluWithDerivative() -> (value: Tensor, derivative: Tensor) {
        guard dtype == .float64 else {
            let (value, slope) = floatGELU(value: true, slope: true)
            return (value!, slope!)
        }
        let (value, slope) = (Tensor(uninitialized: shape, dtype: dtype), Tensor(uninitialized: shape, dtype: dtype))
        let (x, y, d) = (pointer(Double.self), value.pointer(Double.self), slope.pointer(Double.self))
        let (gelu, derivative) = (Unary.GELU(), Unary.GELUDerivative())
        Parallel.forEachChunk(count, costPerItem: 8) { range in
            for i in range {
                y[i] = gelu(x[i])
                d[i] = derivative(x[i])
            }
        }
        return (value, slope)
    }
}

/// Float32 GELU through the CKernels build the CPU runs best (AVX2+FMA or the baseline): every
/// Float path (inference, the fused training pass, the HVP's slope) computes it the same way.
extension Tensor {
    func floatGELU(value wantsValue: Bool, slope wantsSlope: Bool) -> (value: Tensor?, slope: Tensor?) {
        let value = wantsValue ? Tensor(uninitialized: shape, dtype: .float32) : nil
        let slope = wantsSlope ? Tensor(uninitialized: shape, dtype: .float32) : nil
        let x = pointer(Float.self)
        let (y, d) = (value?.pointer(Float.self), slope?.pointer(Float.self))
        let task = UncheckedSendable((x, y, d))
        Parallel.forEachChunk(count, costPerItem: 8) { range in
            let (x, y, d) = task.value
            sharp_gelu_f32(x + range.lowerBound, y.map { $0 + range.lowerBound }, d.map { $0 + range.lowerBound }, range.count)
        }
        return (value, slope)
    }
}
