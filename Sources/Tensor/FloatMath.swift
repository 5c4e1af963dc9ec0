/// `exp` and `erf` for Float written as branch-free arithmetic, so the loops that call them
/// (softmax, sigmoid, erf maps) vectorise. Sources/CKernels/gelu.c repeats this arithmetic for
/// GELU in an AVX2+FMA build; keep the two in step (FloatKernelTests compares them). glibc's `expf`/`erff` are opaque calls, one
/// element at a time: in a ViT gradient they were a quarter of all cycles.
///
/// Accuracy (tested against Double libm on dense grids): `exp` ≤ 2 ulp over the normal range,
/// 0 below it (no subnormal results); `erf` ≤ 3 ulp. NaN propagates; ±∞ give the limits.
/// Double keeps libm's functions: Float64 is the precision the numerical tests run in.
enum FloatMath {
    /// eˣ = 2ⁿ·eʳ with n = round(x/ln 2) and r = x − n·ln 2 (ln 2 split in two so n·ln2_hi is
    /// exact), |r| ≤ ln2/2, eʳ by its Taylor series to r⁷ (truncation < 1e-8 relative).
    @inline(__always) static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.5), 88.75)
        // Adding 1.5·2²³ rounds to an integer (the low mantissa bits then hold n).
        let shifter: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187_0e-6
        let p = polynomial(r, taylor)
        // 2ⁿ as two normal factors 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋), so n from −126 to 128 never leaves
        // the exponent range.
        let k = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let half = k >> 1
        let scale1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
        let scale2 = Float(bitPattern: UInt32(bitPattern: (k &- half &+ 127) << 23))
        var result = p * scale1 * scale2
        result = x < -87.33 ? 0 : result
        result = x > 88.72 ? .infinity : result
        return x.isNaN ? x : result
    }

    /// eʳ's Taylor coefficients 1/k! for k = 0…7.
    private static let taylor: (Float, Float, Float, Float, Float, Float, Float, Float) = (
        1, 1, 0.5, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040
    )
    /// Coefficients from tools/fit_float_math.py: erf(a) = a·S(a²) for a < 0.75 ...
    private static let small: (Float, Float, Float, Float, Float, Float, Float) = (
        1.128_379_225_730_896, -0.376_126_378_774_642_94, 0.112_837_798_893_451_69, -0.026_864_865_794_777_87,
        0.005_217_073_950_916_529, -0.000_836_101_593_449_711_8, 9.492_955_723_544_583e-05
    )
    /// ... and erf(a) = 1 − e^(−a²)·R(t), t = 1/(1 + a/2), above (R ≈ erfc(a)·e^(a²)).
    private static let large: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float) = (
        -2.347_541_567_360_167_4e-06, 0.282_072_901_725_769_04, 0.283_070_325_851_440_43, 0.236_544_251_441_955_57,
        0.233_487_814_664_840_7, -0.111_208_520_829_677_58, 0.420_029_580_593_109_13, -0.630_685_567_855_835,
        0.364_849_507_808_685_3, -0.078_175_909_817_218_78
    )

    /// erf(x): both branches are computed and one is selected (no per-element branch).
    @inline(__always) static func erf(_ x: Float) -> Float {
        let a = Swift.min(x.magnitude, 4)  // erf(4) rounds to 1 in Float
        return erf(x, magnitude: a, gaussian: exp(-(a * a)))
    }

    /// erf(x) given a = min(|x|, 4) and e^(−a²).
    @inline(__always) private static func erf(_ x: Float, magnitude a: Float, gaussian: Float) -> Float {
        let nearZero = a * polynomial(a * a, small)
        let farFromZero = 1 - gaussian * polynomial(1 / (1 + 0.5 * a), large)
        let magnitude = a < 0.75 ? nearZero : farFromZero
        return x.isNaN ? x : Float(signOf: x, magnitudeOf: magnitude)
    }

    /// c₀ + x·(c₁ + x·(c₂ + …)) for a tuple of Float coefficients (c₀, c₁, …), by Horner's rule:
    /// p = c_last, then p = p·x + cᵢ down to c₀ (no fused multiply-add). The tuple's size is
    /// known at compile time, so the loop unrolls and the calling loop still vectorises.
    @inline(__always) private static func polynomial<Coefficients>(_ x: Float, _ c: Coefficients) -> Float {
        withUnsafeBytes(of: c) { raw in
            let k = raw.assumingMemoryBound(to: Float.self)
            var i = k.count - 1
            var p = k[i]
            // A plain countdown: LLVM unrolls it (a `stride` loop it left rolled, 3× slower).
            while i > 0 {
                i -= 1
                p = p * x + k[i]
            }
            return p
        }
    }
}
