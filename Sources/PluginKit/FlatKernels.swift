/// The loop bodies behind `PluginScalar`'s requirements, written once and inlined into the
/// concrete `Float` and `Double` witnesses (`PluginScalar+Conformances.swift`), where they are
/// specialised. (As public protocol-extension defaults they would run unspecialised, ~30× slower,
/// whenever another module named `Float.kernel` directly.) Sums use four independent Double
/// accumulators in a fixed order: vectorisable and deterministic.
enum Kernels {
    @inline(__always) static func sumOfSquares<T: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<T>) -> Double {
        guard let p = x.baseAddress else { return 0 }
        if T.self == Float.self {
            let f = UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
            return FloatSums.blocked(x.count, f, f)
        }
        let n = x.count
        var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= n {
            let x0 = Double(p[i]), x1 = Double(p[i + 1]), x2 = Double(p[i + 2]), x3 = Double(p[i + 3])
            a0 += x0 * x0; a1 += x1 * x1; a2 += x2 * x2; a3 += x3 * x3
            i += 4
        }
        while i < n { let xi = Double(p[i]); a0 += xi * xi; i += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    @inline(__always) static func scaledSumOfSquares<T: BinaryFloatingPoint>(_ g: UnsafeBufferPointer<T>, weights w: UnsafeBufferPointer<T>, eta: Double) -> Double {
        precondition(g.count == w.count, "scaledSumOfSquares: \(g.count) gradient values for \(w.count) weights")
        guard let gp = g.baseAddress, let wp = w.baseAddress else { return 0 }
        var (a0, a1) = (0.0, 0.0)
        var i = 0
        while i + 2 <= g.count {
            let t0 = (Double(wp[i]).magnitude + eta) * Double(gp[i])
            let t1 = (Double(wp[i + 1]).magnitude + eta) * Double(gp[i + 1])
            a0 += t0 * t0; a1 += t1 * t1
            i += 2
        }
        if i < g.count { let t = (Double(wp[i]).magnitude + eta) * Double(gp[i]); a0 += t * t }
        return a0 + a1
    }

    @inline(__always) static func dot<T: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> Double {
        precondition(x.count == y.count, "dot: buffers of \(x.count) and \(y.count) elements")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return 0 }
        if T.self == Float.self {
            return FloatSums.blocked(x.count, UnsafeRawPointer(xp).assumingMemoryBound(to: Float.self), UnsafeRawPointer(yp).assumingMemoryBound(to: Float.self))
        }
        let n = x.count
        var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= n {
            a0 += Double(xp[i]) * Double(yp[i]); a1 += Double(xp[i + 1]) * Double(yp[i + 1])
            a2 += Double(xp[i + 2]) * Double(yp[i + 2]); a3 += Double(xp[i + 3]) * Double(yp[i + 3])
            i += 4
        }
        while i < n { a0 += Double(xp[i]) * Double(yp[i]); i += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    @inline(__always) static func axpy<T: BinaryFloatingPoint>(_ a: Double, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>) {
        precondition(x.count == y.count, "axpy: buffers of \(x.count) and \(y.count) elements")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        let s = T(a)
        for i in 0..<x.count { yp[i] += s * xp[i] }
    }

    @inline(__always) static func combine<T: BinaryFloatingPoint>(
        _ out: UnsafeMutableBufferPointer<T>, _ a: Double, _ x: UnsafeBufferPointer<T>,
        _ b: Double, _ y: UnsafeBufferPointer<T>
    ) {
        precondition(out.count == x.count && x.count == y.count, "combine: buffers of different lengths")
        guard let op = out.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress else { return }
        let (sa, sb) = (T(a), T(b))
        for i in 0..<out.count { op[i] = sa * xp[i] + sb * yp[i] }
    }

    @inline(__always) static func combine<T: BinaryFloatingPoint>(
        _ out: UnsafeMutableBufferPointer<T>, _ a: Double, _ x: UnsafeBufferPointer<T>,
        _ b: Double, _ y: UnsafeBufferPointer<T>, _ c: Double, _ z: UnsafeBufferPointer<T>
    ) {
        precondition(out.count == x.count && x.count == y.count && y.count == z.count, "combine: buffers of different lengths")
        guard let op = out.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress, let zp = z.baseAddress else { return }
        let (sa, sb, sc) = (T(a), T(b), T(c))
        for i in 0..<out.count { op[i] = sa * xp[i] + sb * yp[i] + sc * zp[i] }
    }

    @inline(__always) static func scale<T: BinaryFloatingPoint>(_ x: UnsafeMutableBufferPointer<T>, by a: Double) {
        guard let p = x.baseAddress else { return }
        let s = T(a)
        for i in 0..<x.count { p[i] *= s }
    }

    @inline(__always) static func perturb<T: BinaryFloatingPoint>(
        _ w: UnsafeBufferPointer<T>, direction g: UnsafeBufferPointer<T>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<T>, addingWeights: Bool
    ) {
        precondition(w.count == g.count && out.count == w.count, "perturb: \(w.count) weights, \(g.count) direction values, \(out.count) outputs")
        precondition((0...2).contains(power), "perturb: power must be 0, 1 or 2")
        guard let wp = w.baseAddress, let gp = g.baseAddress, let op = out.baseAddress else { return }
        let (scale, shift, keep) = (T(s), T(eta), T(addingWeights ? 1 : 0))
        // out = keep·w + s·t^power·g with t = |w| + η; one branch-free loop per power.
        switch power {
        case 0: for i in 0..<w.count { op[i] = keep * wp[i] + scale * gp[i] }
        case 1: for i in 0..<w.count { let wi = wp[i]; op[i] = keep * wi + scale * (wi.magnitude + shift) * gp[i] }
        default:
            for i in 0..<w.count { let wi = wp[i], t = wi.magnitude + shift; op[i] = keep * wi + scale * (t * t) * gp[i] }
        }
    }
}

/// Σ xᵢyᵢ over Float buffers: 16 Float lanes within blocks of 4,096 elements, each block's
/// total added in Double. Four times the speed of a Double accumulator, deterministic (fixed
/// order), and within ~1e-6 relative of the exact sum, which is what float32 training needs.
enum FloatSums {
    @inline(__always) static func blocked(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Double {
        var total = 0.0
        var start = 0
        while start < n {
            let end = min(start + 4096, n)
            var lanes = SIMD16<Float>()
            var i = start
            while i + 16 <= end {
                let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
                lanes += a * b  // not addingProduct: that lowers to a libm fmaf call per lane
                i += 16
            }
            var block = 0.0
            for l in 0..<16 { block += Double(lanes[l]) }
            while i < end { block += Double(x[i]) * Double(y[i]); i += 1 }
            total += block
            start = end
        }
        return total
    }
}
