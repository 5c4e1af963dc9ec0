import PluginKit
import Testing

/// The contiguous, chunked Gram–Schmidt of `KrylovBasis` against the plain one-vector-at-a-time
/// form (`VectorMath.orthogonalize`), and the Lanczos error bounds behind `hessian-eigen`'s rule.
@Suite struct KrylovBasisTests {
    /// Orthonormal vectors from Gaussian draws (the plain Gram–Schmidt twice).
    static func orthonormal(_ count: Int, dimension n: Int, seed: UInt64) -> [[Double]] {
        var random = ProbeRandom(seed: seed)
        var basis: [[Double]] = []
        for _ in 0..<count {
            var v = random.gaussianVector(n)
            VectorMath.orthogonalize(&v, against: basis)
            basis.append(VectorMath.normalized(v))
        }
        return basis
    }

    // n spans one chunk, several chunks with a ragged last one, and a length not divisible by 4;
    // m is below, at and past a multiple of the four-vector block.
    @Test(arguments: [(37, 3), (1000, 4), (40_003, 9), (70_001, 13)])
    func projectionMatchesOneVectorAtATimeGramSchmidt(_ n: Int, _ m: Int) {
        let vectors = Self.orthonormal(m, dimension: n, seed: UInt64(n))
        let basis = KrylovBasis(dimension: n, capacity: m)
        for v in vectors { basis.append(v) }
        var random = ProbeRandom(seed: 7)
        let w = random.gaussianVector(n)
        // Vᵀw against separate dot products.
        let c = basis.coefficients(w)
        for (k, v) in vectors.enumerated() { #expect(abs(c[k] - VectorMath.dot(v, w)) <= 1e-12 * VectorMath.norm(w)) }
        // Both Gram–Schmidt forms agree, and the result is orthogonal to the basis.
        var blocked = w, plain = w
        basis.orthogonalize(&blocked)
        VectorMath.orthogonalize(&plain, against: vectors)
        let difference = zip(blocked, plain).map { abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-12 * VectorMath.norm(w), "n \(n), m \(m): max difference \(difference)")
        for v in vectors { #expect(abs(VectorMath.dot(v, blocked)) <= 1e-13 * VectorMath.norm(w)) }
        #expect(basis[m - 1] == vectors[m - 1])
    }

    @Test func projectionIsDeterministic() {
        let n = 50_000, vectors = Self.orthonormal(6, dimension: n, seed: 3)
        let basis = KrylovBasis(dimension: n, capacity: 6)
        for v in vectors { basis.append(v) }
        var random = ProbeRandom(seed: 8)
        let w = random.gaussianVector(n)
        var a = w, b = w
        basis.orthogonalize(&a)
        basis.orthogonalize(&b)
        #expect(a == b)
    }

    /// At every Lanczos step on known spectra, each Ritz value's distance to the nearest
    /// eigenvalue is within its residual (a bound). The quadratic estimate min(r, r²/δ) is not a
    /// bound: early on it can miss eigenvalues the Krylov space has not found; counted and
    /// printed, and checked where a rule with tol 1e-6 would stop on it.
    @Test func residualBoundsHoldAtEveryStep() throws {
        var estimates = 0, misses = 0
        for (spectrum, seed) in [(Spectra.outliers(n: 2048), 1 as UInt64), (Spectra.gap(n: 2048), 2), (Spectra.dominantNegative(n: 2048), 3),
                                 (Spectra.spikedBulk(n: 2048), 4), (Spectra.outliers(n: 2048, seed: 9), 5)] {
            let h = SyntheticHessian(eigenvalues: spectrum, rotated: true, seed: seed)
            let eigenvalues = spectrum.sorted(), scale = eigenvalues.map(abs).max()!
            let op = HessianOperator(dimension: h.dimension) { h.apply($0) }
            var random = ProbeRandom(seed: seed)
            var checked = 0
            _ = try Lanczos.run(op, start: random.gaussianVector(h.dimension), maxSteps: 40) { theta, residuals in
                let quadratic = Lanczos.errorBounds(theta, residuals, gap: true)
                #expect(Lanczos.errorBounds(theta, residuals, gap: false) == residuals)
                for i in theta.indices {
                    let nearest = eigenvalues.map { abs($0 - theta[i]) }.min()!
                    #expect(nearest <= residuals[i] * (1 + 1e-9) + 1e-12 * scale, "step \(theta.count), Ritz value \(i)")
                    guard quadratic[i] < residuals[i] else { continue }
                    estimates += 1
                    if nearest > quadratic[i] * (1 + 1e-9) + 1e-12 * scale { misses += 1 }
                    if quadratic[i] <= 1e-6 * abs(theta[i]) { #expect(nearest <= 1e-6 * abs(theta[i]) + 1e-12 * scale) }
                }
                checked += 1
                return false
            }
            #expect(checked == 40)
        }
        print("quadratic error estimate below the residual \(estimates) times, below the true error \(misses) times")
    }

    /// The quadratic estimate stops Lanczos no later than the residual alone, at the same accuracy.
    @Test func gapBoundStopsSoonerThanTheResidual() throws {
        let h = SyntheticHessian(eigenvalues: Spectra.outliers(n: 2048), rotated: true)
        func steps(gap: Bool) throws -> (Int, Double) {
            let op = HessianOperator(dimension: h.dimension) { h.apply($0) }
            var random = ProbeRandom(seed: 4)
            let r = try Lanczos.run(op, start: random.gaussianVector(h.dimension), maxSteps: 60) { theta, residuals in
                Lanczos.converged(theta, residuals, k: 5, tolerance: 1e-6, gap: gap)
            }
            return (r.products, relativeError(r.ritzValues.last!, 200))
        }
        let (residualSteps, residualError) = try steps(gap: false)
        let (gapSteps, gapError) = try steps(gap: true)
        print("Lanczos top-5 + λmin to 1e-6: residual rule \(residualSteps) HVPs (λmax error \(residualError)), r²/δ rule \(gapSteps) HVPs (\(gapError))")
        #expect(gapSteps <= residualSteps)
        #expect(gapError <= 1e-6)
    }
}
