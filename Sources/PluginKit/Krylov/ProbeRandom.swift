/// Seeded random probe vectors for the stochastic metrics (Gaussian starts, Rademacher probes).
///
/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): tiny, fast and statistically sound for probe
/// vectors, and, unlike the engine's Philox generator, it lives inside the plugin, so a metric's
/// numbers depend only on its own seed and code (plugins import nothing but PluginKit).
public struct ProbeRandom: Sendable {
    private var state: UInt64
    private var spareGaussian: Double?

    /// A generator for `seed`; different `stream`s give independent sequences from one seed
    /// (e.g. one per SLQ run, so that run r is the same whatever the number of runs).
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream &+ 1) &* 0xD1B5_4A32_D192_ED03
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in the open interval (0, 1): 53 random bits, never exactly 0 (safe for log).
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func gaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        let radius = (-2 * log(uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spareGaussian = radius * sin(angle)
        return radius * cos(angle)
    }

    /// `count` standard normal values.
    public mutating func gaussianVector(_ count: Int) -> [Double] {
        (0..<count).map { _ in gaussian() }
    }

    /// `count` values ±1 with equal probability (one random bit each).
    public mutating func rademacherVector(_ count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        var bits: UInt64 = 0
        for i in 0..<count {
            if i % 64 == 0 { bits = next() }
            out[i] = bits & 1 == 0 ? -1 : 1
            bits >>= 1
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif
