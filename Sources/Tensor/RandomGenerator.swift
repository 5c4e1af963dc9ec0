#if canImport(Glibc)
    import Glibc
#endif

/// A seeded, counter-based random number generator (Philox4x32-10, Salmon et al. 2011).
///
/// Philox is a keyed bijection from a 128-bit counter to 128 random bits, so block `b` of a draw
/// is `philox(counter: offset + b, key: seed)` and depends on nothing else. Chunks of a tensor
/// can therefore be filled in any order on any number of threads and the result is
/// bit-identical; a sequential generator (Mersenne Twister, PCG) cannot offer that without
/// per-thread streams whose results change with the thread count.
///
/// Every tensor draw consumes `ceil(count / perBlock)` counters, where a block's four 32-bit
/// words yield 4 `Float` or 2 `Double` values (fewer when a value needs more bits).
/// `offset` then advances so the next draw starts on fresh counters.
public struct RandomGenerator: Sendable {
    /// The Philox key, taken from the seed.
    public let seed: UInt64
    /// Upper 64 bits of every counter: independent streams for one seed (e.g. one per worker).
    public let stream: UInt64
    /// Number of 128-bit counters already consumed; the next draw starts here.
    public var offset: UInt64

    /// A generator whose output is fully determined by `seed` (and `stream`).
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.offset = 0
    }

    typealias Words = (UInt32, UInt32, UInt32, UInt32)

    /// The Philox4x32-10 bijection: ten rounds of two 32x32→64 multiplies, with the key bumped
    /// by Weyl constants (golden ratio, √3 − 1) between rounds. Internal for known-answer tests.
    static func philox(counter: Words, key: (UInt32, UInt32)) -> Words {
        var (c, k) = (counter, key)
        for round in 0..<10 {
            if round > 0 { k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85) }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0)
            )
        }
        return c
    }

    /// The four words of counter `offset + block` (offset wraps after 2^64 counters).
    @inline(__always) func block(_ index: UInt64) -> Words {
        let n = offset &+ index
        return Self.philox(
            counter: (UInt32(truncatingIfNeeded: n), UInt32(truncatingIfNeeded: n >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// Fills a new tensor block by block: `make` turns one block's words into up to four values,
    /// of which the first `perBlock` are stored. Parallel over blocks, then advances `offset`.
    private mutating func fill<T: TensorScalar>(
        _ shape: [Int], _ type: T.Type, perBlock: Int, _ make: (Words) -> (T, T, T, T)
    ) -> Tensor {
        let out = Tensor(zeros: shape, dtype: T.dtype)
        let (n, p, me) = (out.count, out.pointer(T.self), self)
        let blocks = (n + perBlock - 1) / perBlock
        // ~20 multiply/xor pairs per block; the cost hint keeps small draws on this thread.
        Parallel.forEachChunk(blocks, costPerItem: 32) { range in
            for b in range {
                let v = make(me.block(UInt64(b)))
                let base = b * perBlock
                for j in 0..<min(perBlock, n - base) { p[base + j] = j == 0 ? v.0 : j == 1 ? v.1 : j == 2 ? v.2 : v.3 }
            }
        }
        offset &+= UInt64(blocks)
        return out
    }

    // Unit-interval conversions. `Float` takes the top 24 bits of a word and `Double` 53 bits
    // of two words: exactly the significand width, so every value is exact and equally likely.
    @inline(__always) static func float01(_ w: UInt32) -> Float { Float(w >> 8) * 0x1p-24 }
    @inline(__always) static func double01(_ a: UInt32, _ b: UInt32) -> Double {
        Double(UInt64(a) << 21 | UInt64(b >> 11)) * 0x1p-53
    }

    /// Uniform values in `[low, high)`.
    public mutating func uniform(shape: [Int], dtype: DType = .float32, low: Double = 0, high: Double = 1) -> Tensor {
        tensorCheck(low < high, "uniform", "empty interval [\(low), \(high))")
        // `low + width * u` can round up to `high`; step back below it to keep the interval open.
        func scale<T: TensorScalar>(_ u: T) -> T {
            let x = T(low) + (T(high) - T(low)) * u
            return x < T(high) ? x : T(high).nextDown
        }
        switch dtype {
        case .float32:
            return fill(shape, Float.self, perBlock: 4) { w in
                (scale(Self.float01(w.0)), scale(Self.float01(w.1)), scale(Self.float01(w.2)), scale(Self.float01(w.3)))
            }
        case .float64:
            return fill(shape, Double.self, perBlock: 2) { w in
                (scale(Self.double01(w.0, w.1)), scale(Self.double01(w.2, w.3)), 0, 0)
            }
        }
    }

    /// Normal values by the Box–Muller transform; both outputs of each pair are used.
    public mutating func normal(shape: [Int], dtype: DType = .float32, mean: Double = 0, standardDeviation: Double = 1) -> Tensor {
        // The radius uniform is shifted to (0, 1] (`1 - u`), so log never sees 0 and the
        // largest magnitude is finite: about 5.8σ for Float, 8.6σ for Double.
        switch dtype {
        case .float32:
            let (m, s) = (Float(mean), Float(standardDeviation))
            func pair(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
                let r = (-2 * logf(1 - Self.float01(a))).squareRoot()
                let t = 2 * Float.pi * Self.float01(b)
                return (m + s * r * cosf(t), m + s * r * sinf(t))
            }
            return fill(shape, Float.self, perBlock: 4) { w in
                let (x, y) = (pair(w.0, w.1), pair(w.2, w.3))
                return (x.0, x.1, y.0, y.1)
            }
        case .float64:
            return fill(shape, Double.self, perBlock: 2) { w in
                let r = (-2 * log(1 - Self.double01(w.0, w.1))).squareRoot()
                let t = 2 * Double.pi * Self.double01(w.2, w.3)
                return (mean + standardDeviation * r * cos(t), mean + standardDeviation * r * sin(t), 0, 0)
            }
        }
    }

    /// Values −1 or +1 with probability ½ each (Hutchinson trace probes), from one bit per value.
    public mutating func rademacher(shape: [Int], dtype: DType = .float32) -> Tensor {
        func sign<T: TensorScalar>(_ w: UInt32) -> T { w & 0x8000_0000 == 0 ? -1 : 1 }
        switch dtype {
        case .float32: return fill(shape, Float.self, perBlock: 4) { w in (sign(w.0), sign(w.1), sign(w.2), sign(w.3)) }
        case .float64: return fill(shape, Double.self, perBlock: 4) { w in (sign(w.0), sign(w.1), sign(w.2), sign(w.3)) }
        }
    }

    /// Values 1 (kept, probability `keepProbability`) or 0 (dropped): a dropout mask. The caller
    /// applies the `1 / keepProbability` scaling.
    public mutating func bernoulliMask(shape: [Int], dtype: DType = .float32, keepProbability: Double) -> Tensor {
        tensorCheck(
            keepProbability >= 0 && keepProbability <= 1, "bernoulliMask", "keepProbability \(keepProbability) not in [0, 1]")
        // Compare a 32-bit word against p·2^32: resolution 2^-32, and p = 0 or 1 are exact.
        let threshold = UInt64((keepProbability * 0x1p32).rounded())
        func keep<T: TensorScalar>(_ w: UInt32) -> T { UInt64(w) < threshold ? 1 : 0 }
        switch dtype {
        case .float32: return fill(shape, Float.self, perBlock: 4) { w in (keep(w.0), keep(w.1), keep(w.2), keep(w.3)) }
        case .float64: return fill(shape, Double.self, perBlock: 4) { w in (keep(w.0), keep(w.1), keep(w.2), keep(w.3)) }
        }
    }

    /// Normal values conditioned on `lower ≤ x ≤ upper` (absolute bounds, as in timm's
    /// `trunc_normal_(std, a: -2, b: 2)`).
    ///
    /// Sampled by inverse CDF rather than rejection: each value needs exactly one uniform, so
    /// the counter layout stays fixed and draws stay parallel-reproducible. The CDF is worked in
    /// `Double` on the lower tail (mirroring intervals above the mean) so that narrow intervals
    /// far out in a tail keep their precision.
    public mutating func truncatedNormal(
        shape: [Int], dtype: DType = .float32, mean: Double = 0, standardDeviation: Double = 1,
        lower: Double = -2, upper: Double = 2
    ) -> Tensor {
        tensorCheck(lower < upper && standardDeviation > 0, "truncatedNormal", "need lower < upper and σ > 0")
        let flip = lower > mean
        let (a, b) = flip ? ((mean - upper) / standardDeviation, (mean - lower) / standardDeviation)
                          : ((lower - mean) / standardDeviation, (upper - mean) / standardDeviation)
        let (pa, pb) = (Self.normalCDF(a), Self.normalCDF(b))
        func sample(_ u: Double) -> Double {
            let z = Self.inverseNormalCDF(pa + (pb - pa) * u)
            let x = mean + standardDeviation * (flip ? -z : z)
            return min(max(x, lower), upper)  // rounding in the last ulp must not escape the bounds
        }
        // Uniform in (0, 1), never 0: with pa == 0 a zero would map to −∞.
        func open01(_ a: UInt32, _ b: UInt32) -> Double { Self.double01(a, b) + 0x1p-54 }
        switch dtype {
        case .float32:
            return fill(shape, Float.self, perBlock: 2) { w in
                (Float(sample(open01(w.0, w.1))), Float(sample(open01(w.2, w.3))), 0, 0)
            }
        case .float64:
            return fill(shape, Double.self, perBlock: 2) { w in (sample(open01(w.0, w.1)), sample(open01(w.2, w.3)), 0, 0) }
        }
    }

    /// Φ(x), via erfc so the lower tail keeps full relative precision.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error 1.2e-9) refined
    /// by one Halley step against `normalCDF`, which brings it to near double precision.
    static func inverseNormalCDF(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        // Coefficients are written inline (not as arrays) so the hot path does not allocate.
        func tail(_ q: Double) -> Double {
            let num = ((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00
            let den = (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                + 3.754408661907416e+00) * q + 1
            return num / den
        }
        var x: Double
        if p < 0.02425 {
            x = tail((-2 * log(p)).squareRoot())
        } else if p > 1 - 0.02425 {
            x = -tail((-2 * log(1 - p)).squareRoot())
        } else {
            let q = p - 0.5, r = q * q
            let num = ((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00
            let den = ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1
            x = num * q / den
        }
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// 64 fresh random bits (one counter; the other two words are discarded for simplicity).
    public mutating func nextUInt64() -> UInt64 {
        let w = block(0)
        offset &+= 1
        return UInt64(w.0) | UInt64(w.1) << 32
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    public mutating func uniformInt(below bound: Int) -> Int {
        tensorCheck(bound > 0, "uniformInt", "bound \(bound) must be positive")
        let n = UInt64(bound)
        var m = nextUInt64().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n  // 2^64 mod n: the low products that would be over-represented
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// A uniformly random ordering of `0..<n` (Fisher–Yates), e.g. the sample order of an epoch.
    public mutating func permutation(_ n: Int) -> [Int] {
        var result = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { result.swapAt(i, uniformInt(below: i + 1)) }
        return result
    }
}
