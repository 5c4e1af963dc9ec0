/// The loop bodies behind `PluginScalar`'s requirements.
///
/// Written once as protocol-extension defaults; because `Float` and `Double` take these defaults
/// inside this module, whole-module optimisation specialises each loop per concrete type. Sums
/// use four independent Double accumulators in a fixed order (vectorisable, deterministic).
extension PluginScalar {
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Self>) -> Double {
        guard let p = x.baseAddress else { return 0 }
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

    public static func scaledSumOfSquares(_ g: UnsafeBufferPointer<Self>, weights w: UnsafeBufferPointer<Self>, eta: Double) -> Double {
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

    public static func dot(_ x: UnsafeBufferPointer<Self>, _ y: UnsafeBufferPointer<Self>) -> Double {
        precondition(x.count == y.count, "dot: buffers of \(x.count) and \(y.count) elements")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return 0 }
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

    public static func axpy(_ a: Double, _ x: UnsafeBufferPointer<Self>, _ y: UnsafeMutableBufferPointer<Self>) {
        precondition(x.count == y.count, "axpy: buffers of \(x.count) and \(y.count) elements")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        let s = Self(a)
        for i in 0..<x.count { yp[i] += s * xp[i] }
    }

    public static func combine(
        _ out: UnsafeMutableBufferPointer<Self>, _ a: Double, _ x: UnsafeBufferPointer<Self>,
        _ b: Double, _ y: UnsafeBufferPointer<Self>
    ) {
        precondition(out.count == x.count && x.count == y.count, "combine: buffers of different lengths")
        guard let op = out.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress else { return }
        let (sa, sb) = (Self(a), Self(b))
        for i in 0..<out.count { op[i] = sa * xp[i] + sb * yp[i] }
    }

    public static func combine(
        _ out: UnsafeMutableBufferPointer<Self>, _ a: Double, _ x: UnsafeBufferPointer<Self>,
        _ b: Double, _ y: UnsafeBufferPointer<Self>, _ c: Double, _ z: UnsafeBufferPointer<Self>
    ) {
        precondition(out.count == x.count && x.count == y.count && y.count == z.count, "combine: buffers of different lengths")
        guard let op = out.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress, let zp = z.baseAddress else { return }
        let (sa, sb, sc) = (Self(a), Self(b), Self(c))
        for i in 0..<out.count { op[i] = sa * xp[i] + sb * yp[i] + sc * zp[i] }
    }

    public static func scale(_ x: UnsafeMutableBufferPointer<Self>, by a: Double) {
        guard let p = x.baseAddress else { return }
        let s = Self(a)
        for i in 0..<x.count { p[i] *= s }
    }

    public static func perturb(
        _ w: UnsafeMutableBufferPointer<Self>, backup: UnsafeMutableBufferPointer<Self>?,
        out: UnsafeMutableBufferPointer<Self>?, direction g: UnsafeBufferPointer<Self>,
        scale s: Double, eta: Double, power: Int
    ) {
        precondition(w.count == g.count, "perturb: \(g.count) direction values for \(w.count) parameters")
        precondition((0...2).contains(power), "perturb: power must be 0, 1 or 2")
        guard let wp = w.baseAddress, let gp = g.baseAddress else { return }
        let (scale, shift) = (Self(s), Self(eta))
        // e = s·t^power·g with t = |w| + η, each written out so the loop has no branch.
        if let out, let op = out.baseAddress {
            precondition(out.count == w.count, "perturb: output of \(out.count) values for \(w.count) parameters")
            switch power {
            case 0: for i in 0..<w.count { op[i] = scale * gp[i] }
            case 1: for i in 0..<w.count { op[i] = scale * (wp[i].magnitude + shift) * gp[i] }
            default: for i in 0..<w.count { let t = wp[i].magnitude + shift; op[i] = scale * (t * t) * gp[i] }
            }
            return
        }
        guard let backup, let bp = backup.baseAddress else { preconditionFailure("perturb: needs an output or a backup") }
        precondition(backup.count == w.count, "perturb: backup of \(backup.count) values for \(w.count) parameters")
        switch power {
        case 0: for i in 0..<w.count { let wi = wp[i]; bp[i] = wi; wp[i] = wi + scale * gp[i] }
        case 1: for i in 0..<w.count { let wi = wp[i]; bp[i] = wi; wp[i] = wi + scale * (wi.magnitude + shift) * gp[i] }
        default:
            for i in 0..<w.count {
                let wi = wp[i], t = wi.magnitude + shift
                bp[i] = wi; wp[i] = wi + scale * (t * t) * gp[i]
            }
        }
    }
}
