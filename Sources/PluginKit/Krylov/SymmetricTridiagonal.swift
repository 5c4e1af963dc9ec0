/// Eigenvalues and eigenvectors of a symmetric tridiagonal matrix T (the Lanczos matrix).
///
/// Implicit QL with Wilkinson shifts (the `tql2` scheme of EISPACK; Bowdler, Martin, Reinsch &
/// Wilkinson 1968), written here rather than taken from LAPACK's `dstev` so the metric plugins
/// need nothing but PluginKit; MetricTests compares it with LAPACK. T is at most a few hundred
/// rows, so the O(m³) eigenvector accumulation costs less than one Hessian-vector product.
public struct SymmetricTridiagonal: Sendable {
    /// Diagonal α₁…α_m.
    public let diagonal: [Double]
    /// Off-diagonal β₁…β_{m−1}.
    public let offDiagonal: [Double]

    /// T with the given diagonal (m entries) and off-diagonal (m − 1 entries).
    public init(diagonal: [Double], offDiagonal: [Double]) {
        precondition(offDiagonal.count == max(diagonal.count - 1, 0), "SymmetricTridiagonal: \(diagonal.count) diagonal and \(offDiagonal.count) off-diagonal entries")
        self.diagonal = diagonal
        self.offDiagonal = offDiagonal
    }

    /// The eigen-decomposition T = S·diag(θ)·Sᵀ.
    public struct Eigensystem: Sendable {
        /// Eigenvalues θ, ascending.
        public let values: [Double]
        /// S in row-major order: `vectors[i * m + k]` is entry i of the eigenvector of `values[k]`.
        public let vectors: [Double]

        /// Squared first components of the eigenvectors, in the order of `values`: for a Lanczos
        /// T, the weights of its Gauss quadrature rule (SLQ's weights).
        public var quadratureWeights: [Double] { row(0).map { $0 * $0 } }

        /// Row i of S (entry i of every eigenvector, in the order of `values`).
        public func row(_ i: Int) -> [Double] {
            let m = values.count
            return Array(vectors[(i * m)..<(i * m + m)])
        }
    }

    /// Solves for all eigenpairs. Throws when QL fails to converge (never seen for finite input).
    public func eigensystem() throws -> Eigensystem {
        let m = diagonal.count
        guard m > 0 else { return Eigensystem(values: [], vectors: []) }
        var d = diagonal
        var e = offDiagonal + [0]  // e[i] couples rows i and i + 1; e[m − 1] is a zero sentinel
        var z = [Double](repeating: 0, count: m * m)
        for i in 0..<m { z[i * m + i] = 1 }
        for l in 0..<m {
            var iterations = 0
            while true {
                // Find a negligible off-diagonal element: T splits there.
                var split = l
                while split < m - 1 {
                    let scale = abs(d[split]) + abs(d[split + 1])
                    if abs(e[split]) <= Double.ulpOfOne * scale { break }
                    split += 1
                }
                if split == l { break }
                iterations += 1
                guard iterations <= 60 else { throw TridiagonalError.noConvergence(row: l) }
                // Wilkinson shift from the leading 2×2 block.
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = (g * g + 1).squareRoot()
                g = d[split] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, p = 0.0
                var i = split - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = (f * f + g * g).squareRoot()
                    e[i + 1] = r
                    if r == 0 {
                        // Underflow: T splits at i + 1; undo the shift there and restart.
                        d[i + 1] -= p
                        e[split] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    z.withUnsafeMutableBufferPointer { zp in
                        for k in 0..<m {
                            let t = zp[k * m + i + 1]
                            zp[k * m + i + 1] = s * zp[k * m + i] + c * t
                            zp[k * m + i] = c * zp[k * m + i] - s * t
                        }
                    }
                    i -= 1
                }
                if deflated { continue }
                d[l] -= p
                e[l] = g
                e[split] = 0
            }
        }
        // Sort ascending, carrying the eigenvector columns along.
        let order = (0..<m).sorted { d[$0] < d[$1] }
        var sorted = [Double](repeating: 0, count: m * m)
        for (newColumn, oldColumn) in order.enumerated() {
            for row in 0..<m { sorted[row * m + newColumn] = z[row * m + oldColumn] }
        }
        return Eigensystem(values: order.map { d[$0] }, vectors: sorted)
    }
}

/// Why a tridiagonal eigenproblem failed.
public enum TridiagonalError: Error, CustomStringConvertible {
    /// QL did not converge within 60 sweeps for one row.
    case noConvergence(row: Int)

    /// One line.
    public var description: String {
        switch self {
        case .noConvergence(let row): return "tridiagonal QL did not converge at row \(row)"
        }
    }
}
