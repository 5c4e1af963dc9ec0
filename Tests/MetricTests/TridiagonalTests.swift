import Foundation
import PluginKit
import Testing

/// The tridiagonal eigensolver against LAPACK's dstev (OpenBLAS) and against known spectra.
@Suite struct TridiagonalTests {
    typealias DSTEV = @convention(c) (UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
                                      UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>,
                                      UnsafeMutablePointer<Double>, UnsafeMutablePointer<Int32>) -> Void

    /// LAPACK dstev through the OpenBLAS the engine already links (looked up at run time, so the
    /// plugins themselves never depend on LAPACK).
    static func lapackEigenvalues(_ d: [Double], _ e: [Double]) -> [Double]? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "dstev_") ?? dlsym(dlopen("libopenblas.so.0", RTLD_NOW), "dstev_") else { return nil }
        let dstev = unsafeBitCast(symbol, to: DSTEV.self)
        var d = d, e = e + [0], z = [Double](repeating: 0, count: 1), work = [Double](repeating: 0, count: 1)
        var n = Int32(d.count), ldz: Int32 = 1, info: Int32 = 0
        dstev("N", &n, &d, &e, &z, &ldz, &work, &info)
        return info == 0 ? d : nil
    }

    @Test func matchesLAPACKOnRandomMatrices() throws {
        var random = ProbeRandom(seed: 7)
        for m in [1, 2, 3, 10, 60, 150] {
            let d = random.gaussianVector(m), e = random.gaussianVector(max(m - 1, 0))
            let ours = try SymmetricTridiagonal(diagonal: d, offDiagonal: e).eigensystem()
            let reference = try #require(Self.lapackEigenvalues(d, e))
            for (a, b) in zip(ours.values, reference) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
            // Eigenvectors: T·s = θ·s and orthonormal columns.
            for k in 0..<m {
                let s = (0..<m).map { ours.vectors[$0 * m + k] }
                for i in 0..<m {
                    var ts = d[i] * s[i]
                    if i > 0 { ts += e[i - 1] * s[i - 1] }
                    if i < m - 1 { ts += e[i] * s[i + 1] }
                    #expect(abs(ts - ours.values[k] * s[i]) < 1e-11)
                }
                #expect(abs(VectorMath.dot(s, s) - 1) < 1e-12)
            }
        }
    }

    @Test func discreteLaplacianHasClosedFormSpectrum() throws {
        let m = 40
        let ours = try SymmetricTridiagonal(diagonal: [Double](repeating: 2, count: m), offDiagonal: [Double](repeating: -1, count: m - 1)).eigensystem()
        let exact = (1...m).map { 2 - 2 * cos(Double($0) * Double.pi / Double(m + 1)) }.sorted()
        for (a, b) in zip(ours.values, exact) { #expect(abs(a - b) < 1e-13) }
    }
}
