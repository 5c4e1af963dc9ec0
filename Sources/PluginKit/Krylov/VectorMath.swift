/// Dense Float64 vector operations for Krylov methods: one loop each, no bounds checks in the
/// loop bodies (vectors have a few hundred thousand to millions of entries).
public enum VectorMath {
    /// ⟨x, y⟩.
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count)")
        return x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                // Four partial sums: faster, and no less accurate than one running sum.
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var i = 0
                let n = a.count
                while i + 4 <= n {
                    s0 += a[i] * b[i]
                    s1 += a[i + 1] * b[i + 1]
                    s2 += a[i + 2] * b[i + 2]
                    s3 += a[i + 3] * b[i + 3]
                    i += 4
                }
                while i < n {
                    s0 += a[i] * b[i]
                    i += 1
                }
                return (s0 + s1) + (s2 + s3)
            }
        }
    }

    /// ‖x‖₂.
    public static func norm(_ x: [Double]) -> Double { dot(x, x).squareRoot() }

    /// y ← y + a·x.
    public static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count)")
        x.withUnsafeBufferPointer { s in
            y.withUnsafeMutableBufferPointer { d in
                for i in 0..<d.count { d[i] += a * s[i] }
            }
        }
    }

    /// x ← a·x.
    public static func scale(_ x: inout [Double], by a: Double) {
        x.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] *= a }
        }
    }

    /// x / ‖x‖ (x itself when it is zero).
    public static func normalized(_ x: [Double]) -> [Double] {
        let n = norm(x)
        guard n > 0 else { return x }
        var out = x
        scale(&out, by: 1 / n)
        return out
    }

    /// Removes from w its components along every vector of `basis` (orthonormal), with classical
    /// Gram–Schmidt done twice ("twice is enough": Giraud et al. 2005), which keeps the basis
    /// orthogonal to machine precision where one pass loses it once Ritz values converge.
    public static func orthogonalize(_ w: inout [Double], against basis: [[Double]]) {
        guard !basis.isEmpty else { return }
        for _ in 0..<2 {
            let coefficients = basis.map { dot($0, w) }
            for (c, v) in zip(coefficients, basis) { axpy(-c, v, &w) }
        }
    }
}
