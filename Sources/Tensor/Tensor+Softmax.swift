import CKernels
/// Numerically stable log-softmax and softmax over the last axis.
extension Tensor {
    /// `x - log Σ exp(x)` along the last axis (the maximum is subtracted first).
    public func logSoftmax() -> Tensor {
        tensorCheck(rank >= 1 && shape[rank - 1] > 0, "logSoftmax", "needs a non-empty last axis, got shape \(shape)")
        switch dtype {
        case .float32: return logSoftmaxKernel(Float.self)
        case .float64: return logSoftmaxKernel(Double.self)
        }
    }

    /// `exp(x − max) / Σ exp(x − max)` along the last axis (one exponential per element).
    public func softmax() -> Tensor {
        tensorCheck(rank >= 1 && shape[rank - 1] > 0, "softmax", "needs a non-empty last axis, got shape \(shape)")
        switch dtype {
        case .float32: return floatSoftmax()
        case .float64: return softmaxKernel(Double.self)
        }
    }

    /// Float rows through CKernels (AVX2+FMA where the CPU has it): the same steps as
    /// `softmaxKernel`, eight lanes wide.
    private func floatSoftmax() -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let n = shape[rank - 1]
        let task = UncheckedSendable((pointer(Float.self), out.pointer(Float.self)))
        Parallel.forEachChunk(count / n, costPerItem: n * 8) { range in
            let (src, dst) = task.value
            sharp_softmax_rows_f32(src + range.lowerBound &* n, dst + range.lowerBound &* n, range.count, n)
        }
        return out
    }

    /// The softmax pullback y ⊙ (g − Σ g⊙y) along the last axis in one pass, with `self` the
    /// incoming gradient g and `output` the softmax y (the composite takes four passes and three
    /// temporaries). Each row's Σ g⊙y is a Float64 sum in a fixed order.
    public func softmaxPullback(output y: Tensor) -> Tensor {
        tensorCheck(shape == y.shape && dtype == y.dtype && rank >= 1, "softmaxPullback",
                    "gradient \(shape) \(dtype) and output \(y.shape) \(y.dtype) must match")
        switch dtype {
        case .float32: return softmaxPullbackKernel(y, Float.self)
        case .float64: return softmaxPullbackKernel(y, Double.self)
        }
    }

    /// The adjoint of `softmaxPullback` for an upstream `h` (self), with g the gradient it was
    /// given and y the softmax, per row s = Σ g⊙y and t = Σ h⊙y:
    /// ∂/∂g = y ⊙ (h − t) and ∂/∂y = h ⊙ (g − s) − g·t, both in one pass (a Hessian-vector
    /// product's second sweep runs this for every softmax of the first).
    public func softmaxPullbackAdjoint(gradient g: Tensor, output y: Tensor) -> (gradient: Tensor, output: Tensor) {
        tensorCheck(shape == g.shape && shape == y.shape && dtype == g.dtype && dtype == y.dtype && rank >= 1,
                    "softmaxPullbackAdjoint", "upstream \(shape), gradient \(g.shape) and output \(y.shape) must match")
        switch dtype {
        case .float32: return softmaxPullbackAdjointKernel(g, y, Float.self)
        case .float64: return softmaxPullbackAdjointKernel(g, y, Double.self)
        }
    }

    private func softmaxPullbackAdjointKernel<T: TensorScalar>(_ g: Tensor, _ y: Tensor, _: T.Type) -> (gradient: Tensor, output: Tensor) {
        let (dg, dy) = (Tensor(uninitialized: shape, dtype: dtype), Tensor(uninitialized: shape, dtype: dtype))
        let n = shape[rank - 1]
        guard n > 0 else { return (dg, dy) }
        let (h, gp, p, a, b) = (pointer(T.self), g.pointer(T.self), y.pointer(T.self), dg.pointer(T.self), dy.pointer(T.self))
        Parallel.forEachChunk(count / n, costPerItem: n * 8) { range in
            for row in range {
                let o = row &* n
                let s = T(Tensor.pairwiseLaneDot(gp + o, p + o, n)), t = T(Tensor.pairwiseLaneDot(h + o, p + o, n))
                for k in o..<(o &+ n) {
                    a[k] = p[k] * (h[k] - t)
                    b[k] = h[k] * (gp[k] - s) - gp[k] * t
                }
            }
        }
        return (dg, dy)
    }

    private func softmaxPullbackKernel<T: TensorScalar>(_ y: Tensor, _: T.Type) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let n = shape[rank - 1]
        guard n > 0 else { return out }
        let (g, p, d) = (pointer(T.self), y.pointer(T.self), out.pointer(T.self))
        Parallel.forEachChunk(count / n, costPerItem: n * 4) { range in
            for row in range {
                let (gr, pr, dr) = (g + row &* n, p + row &* n, d + row &* n)
                let shift = T(Tensor.pairwiseLaneDot(gr, pr, n))
                for k in 0..<n { dr[k] = (gr[k] - shift) * pr[k] }
            }
        }
        return out
    }

    private func softmaxKernel<T: TensorScalar>(_: T.Type) -> Tensor {
        mapRows(T.self) { s, d, n in
            let m = Tensor.rowMaximum(s, n)
            for j in 0..<n { d[j] = T.exp(s[j] - m) }
            let scale = T(1 / Tensor.pairwiseLaneSum(d, n))
            for j in 0..<n { d[j] *= scale }
        }
    }

    private func logSoftmaxKernel<T: TensorScalar>(_: T.Type) -> Tensor {
        mapRows(T.self) { s, d, n in
            let m = Tensor.rowMaximum(s, n)
            var total = 0.0
            for j in 0..<n { total += Double(T.exp(s[j] - m)) }
            // (x − m) is exact for the largest entries; subtracting log Σ afterwards keeps
            // full precision even when the logits are large (x − (m + log Σ) would not).
            let logTotal = T(Glibc.log(total))
            for j in 0..<n { d[j] = (s[j] - m) - logTotal }
        }
    }

    /// A tensor of this shape whose rows along the last axis `body(source, destination, n)`
    /// writes from this tensor's rows; rows are split across threads.
    @inline(__always)
    private func mapRows<T: TensorScalar>(_: T.Type, _ body: (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let (src, dst) = (pointer(T.self), out.pointer(T.self))
        let n = shape[rank - 1]
        Parallel.forEachChunk(count / n, costPerItem: n * 8) { range in
            for row in range { body(src + row &* n, dst + row &* n, n) }
        }
        return out
    }

    /// The largest of `s[0..<n]` (−∞ for none; NaN entries are passed over).
    @inline(__always)
    static func rowMaximum<T: TensorScalar>(_ s: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var m = -T.infinity
        for j in 0..<n where s[j] > m { m = s[j] }
        return m
    }
}

import Glibc
