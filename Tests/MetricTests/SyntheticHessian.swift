import Foundation
import PluginKit
import PluginHost

/// Known-spectrum operators for docs/algorithms.md#validation V4/V5: H = Q·diag(λ)·Qᵀ, with Q either the identity
/// (Krylov methods from a Gaussian start are rotation invariant) or a dense randomised Hadamard
/// rotation Q = W·D₁·W·D₂ (W the orthonormal Walsh–Hadamard matrix, D random signs), which
/// costs O(n log n) per product and spreads every eigenvector over all coordinates, so that
/// Rademacher probes are not exact (as they are for a diagonal H).
struct SyntheticHessian {
    let eigenvalues: [Double]
    let rotated: Bool
    private let signs1: [Double], signs2: [Double]

    init(eigenvalues: [Double], rotated: Bool, seed: UInt64 = 99) {
        precondition(!rotated || eigenvalues.count & (eigenvalues.count - 1) == 0, "a Hadamard rotation needs n = 2^k")
        self.eigenvalues = eigenvalues
        self.rotated = rotated
        var random = ProbeRandom(seed: seed, stream: 1234)
        signs1 = random.rademacherVector(eigenvalues.count)
        signs2 = random.rademacherVector(eigenvalues.count)
    }

    var dimension: Int { eigenvalues.count }
    var trace: Double { eigenvalues.reduce(0, +) }

    /// In-place orthonormal fast Walsh–Hadamard transform (symmetric, its own inverse).
    static func hadamard(_ x: inout [Double]) {
        let n = x.count
        var h = 1
        x.withUnsafeMutableBufferPointer { p in
            while h < n {
                var i = 0
                while i < n {
                    for j in i..<(i + h) {
                        let a = p[j], b = p[j + h]
                        p[j] = a + b
                        p[j + h] = a - b
                    }
                    i += 2 * h
                }
                h *= 2
            }
            let s = 1 / Double(n).squareRoot()
            for i in 0..<n { p[i] *= s }
        }
    }

    /// Qᵀx = D₂·W·D₁·W·x.
    func rotateIn(_ x: [Double]) -> [Double] {
        var y = x
        Self.hadamard(&y)
        for i in y.indices { y[i] *= signs1[i] }
        Self.hadamard(&y)
        for i in y.indices { y[i] *= signs2[i] }
        return y
    }

    /// Qx = W·D₁·W·D₂·x.
    func rotateOut(_ x: [Double]) -> [Double] {
        var y = x
        for i in y.indices { y[i] *= signs2[i] }
        Self.hadamard(&y)
        for i in y.indices { y[i] *= signs1[i] }
        Self.hadamard(&y)
        return y
    }

    /// H·v.
    func apply(_ v: [Double]) -> [Double] {
        guard rotated else { return zip(eigenvalues, v).map { $0 * $1 } }
        let inner = rotateIn(v)
        return rotateOut(zip(eigenvalues, inner).map { $0 * $1 })
    }
}

/// Spectra E1/E2 and V4 of docs/algorithms.md#test-spectra.
enum Spectra {
    /// Gamma(shape 1, scale) draw = exponential.
    static func exponential(_ r: inout ProbeRandom, scale: Double) -> Double { -scale * log(r.uniform()) }

    /// E1: outliers 200, 120, 80, 60, 45, 35, 28, 22, 18, 15 (or `leading`) over a bulk of 80 %
    /// N(0, 0.05²) and 20 % Gamma(1, 0.8), 5 % of it shifted down by Gamma(1, 0.3).
    static func outliers(n: Int, leading: [Double] = [200, 120, 80, 60, 45, 35, 28, 22, 18, 15], seed: UInt64 = 1) -> [Double] {
        var r = ProbeRandom(seed: seed, stream: 77)
        var bulk = (0..<(n - leading.count)).map { i -> Double in
            i % 5 == 4 ? exponential(&r, scale: 0.8) : 0.05 * r.gaussian()
        }
        for i in bulk.indices where i % 20 == 3 { bulk[i] -= exponential(&r, scale: 0.3) }
        return leading + bulk
    }

    /// λ2/λ1 = 0.97: 100, 97, then the E1 bulk.
    static func gap(n: Int, seed: UInt64 = 2) -> [Double] { outliers(n: n, leading: [100, 97], seed: seed) }

    /// A dominant negative eigenvalue: −50 beside 30, 20 and the bulk (LM ≠ LA).
    static func dominantNegative(n: Int, seed: UInt64 = 3) -> [Double] { outliers(n: n, leading: [-50, 30, 20], seed: seed) }

    /// Papyan's spiked model: a Marchenko–Pastur bulk (ratio 1/2, variance 1) plus spikes 5, 4, 3.
    static func spikedBulk(n: Int, seed: UInt64 = 4) -> [Double] {
        // The bulk as exact MP quantiles (a deterministic, known distribution), spikes on top.
        let ratio = 0.5, low = pow(1 - ratio.squareRoot(), 2), high = pow(1 + ratio.squareRoot(), 2)
        let grid = 20_000
        let xs = (0...grid).map { low + (high - low) * Double($0) / Double(grid) }
        let density = xs.map { x in ((high - x) * (x - low)).squareRoot() / (2 * Double.pi * ratio * x) }
        var cdf = [0.0]
        for i in 1...grid { cdf.append(cdf[i - 1] + (density[i] + density[i - 1]) / 2 * (xs[i] - xs[i - 1])) }
        let total = cdf[grid]
        let count = n - 3
        var bulk: [Double] = []
        var j = 0
        for k in 0..<count {
            let target = (Double(k) + 0.5) / Double(count) * total
            while cdf[j + 1] < target { j += 1 }
            bulk.append(xs[j])
        }
        return [5, 4, 3] + bulk
    }
}
