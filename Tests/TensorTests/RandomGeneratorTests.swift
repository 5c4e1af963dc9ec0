import Glibc
import Testing

@testable import Tensor

/// Serialized because one test changes the global `Parallel.threads`.
@Suite(.serialized) struct RandomGeneratorTests {
    typealias Words = (UInt32, UInt32, UInt32, UInt32)

    private func equal(_ a: Words, _ b: Words) -> Bool { a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3 }

    /// Mean and (unbiased) variance.
    private func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, ss / Double(x.count - 1))
    }

    /// Every kind of draw, so the determinism tests cover all of them.
    private func drawAll(_ g: inout RandomGenerator, count: Int, dtype: DType) -> [[Double]] {
        [
            g.uniform(shape: [count], dtype: dtype, low: -1, high: 3).doubles,
            g.normal(shape: [count], dtype: dtype, mean: 1, standardDeviation: 2).doubles,
            g.rademacher(shape: [count], dtype: dtype).doubles,
            g.bernoulliMask(shape: [count], dtype: dtype, keepProbability: 0.7).doubles,
            g.truncatedNormal(shape: [count], dtype: dtype, standardDeviation: 0.5, lower: -0.3, upper: 1).doubles,
        ]
    }

    @Test func philoxMatchesRandom123KnownAnswers() {
        #expect(equal(
            RandomGenerator.philox(counter: (0, 0, 0, 0), key: (0, 0)),
            (0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)))
        let m = UInt32.max
        #expect(equal(
            RandomGenerator.philox(counter: (m, m, m, m), key: (m, m)),
            (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)))
        #expect(equal(
            RandomGenerator.philox(
                counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: (0xa409_3822, 0x299f_31d0)),
            (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)))
    }

    @Test(arguments: DType.allCases) func sameSeedGivesIdenticalDraws(dtype: DType) {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect(drawAll(&a, count: 1001, dtype: dtype) == drawAll(&b, count: 1001, dtype: dtype))
        #expect(a.permutation(50) == b.permutation(50))
        #expect(a.offset == b.offset)
    }

    @Test func differentSeedsStreamsAndSuccessiveDrawsDiffer() {
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2), c = RandomGenerator(seed: 1, stream: 1)
        let first = a.uniform(shape: [64]).doubles
        #expect(first != b.uniform(shape: [64]).doubles)
        #expect(first != c.uniform(shape: [64]).doubles)
        #expect(a.offset == 16)  // 64 Floats at 4 per counter
        #expect(first != a.uniform(shape: [64]).doubles)
    }

    @Test func elementsDependOnlyOnSeedAndCounter() {
        // One long draw equals two short draws back to back: counters, not call history, decide.
        var long = RandomGenerator(seed: 7), short = RandomGenerator(seed: 7)
        let whole = long.uniform(shape: [16]).doubles
        let parts = short.uniform(shape: [8]).doubles + short.uniform(shape: [8]).doubles
        #expect(whole == parts)
        // And element i is the top 24 bits of word i % 4 of counter i / 4, keyed by the seed.
        let seed: UInt64 = 0x1234_5678_9abc_def0
        var g = RandomGenerator(seed: seed)
        let x = g.uniform(shape: [12]).floats
        for i in 0..<12 {
            let w = RandomGenerator.philox(counter: (UInt32(i / 4), 0, 0, 0), key: (0x9abc_def0, 0x1234_5678))
            let word = [w.0, w.1, w.2, w.3][i % 4]
            #expect(x[i] == Float(word >> 8) * 0x1p-24)
        }
    }

    @Test(arguments: DType.allCases) func resultsDoNotDependOnThreadCount(dtype: DType) {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        let n = 1 << 18  // large enough that forEachChunk really splits the work
        Parallel.threads = 1
        var a = RandomGenerator(seed: 99)
        let serial = drawAll(&a, count: n, dtype: dtype)
        Parallel.threads = 2
        var b = RandomGenerator(seed: 99)
        let parallel = drawAll(&b, count: n, dtype: dtype)
        #expect(serial == parallel)
    }

    @Test(arguments: DType.allCases) func normalMomentsMatch(dtype: DType) {
        let n = 1_000_000
        var g = RandomGenerator(seed: 2024)
        let x = g.normal(shape: [n], dtype: dtype, mean: 3, standardDeviation: 2).doubles
        let (mean, variance) = moments(x)
        #expect(abs(mean - 3) < 5 * 2 / Double(n).squareRoot())
        #expect(abs(variance - 4) < 5 * 4 * (2 / Double(n)).squareRoot())
        // Fourth standardized moment 3 (variance of z⁴ is 105 − 9): rules out non-normal shapes
        // with the right mean and variance.
        let kurtosis = x.reduce(0) { $0 + pow(($1 - 3) / 2, 4) } / Double(n)
        #expect(abs(kurtosis - 3) < 5 * (96 / Double(n)).squareRoot())
        #expect(x.allSatisfy { $0.isFinite })
    }

    @Test(arguments: DType.allCases) func uniformStaysInRange(dtype: DType) {
        let n = 1_000_000
        var g = RandomGenerator(seed: 5)
        let x = g.uniform(shape: [n], dtype: dtype, low: -3, high: 5).doubles
        #expect(x.allSatisfy { $0 >= -3 && $0 < 5 })
        let (mean, variance) = moments(x)
        #expect(abs(mean - 1) < 5 * (64 / 12 / Double(n)).squareRoot())
        #expect(abs(variance - 64.0 / 12) < 0.05)
        // Double draws carry 53 bits, so some values fall between multiples of 2^-24.
        let unit = RandomGenerator(seed: 5).uniformUnitDoubles(1000)
        #expect(unit.contains { ($0 * 0x1p24).rounded() != $0 * 0x1p24 })
    }

    @Test(arguments: DType.allCases) func rademacherIsPlusMinusOneWithMeanZero(dtype: DType) {
        let n = 1_000_000
        var g = RandomGenerator(seed: 11)
        let x = g.rademacher(shape: [n], dtype: dtype).doubles
        #expect(Set(x) == [-1, 1])
        #expect(abs(x.reduce(0, +) / Double(n)) < 5 / Double(n).squareRoot())
    }

    @Test(arguments: DType.allCases) func bernoulliKeepsAtTheRequestedRate(dtype: DType) {
        let (n, p) = (1_000_000, 0.8)
        var g = RandomGenerator(seed: 12)
        let x = g.bernoulliMask(shape: [n], dtype: dtype, keepProbability: p).doubles
        #expect(Set(x) == [0, 1])
        #expect(abs(x.reduce(0, +) / Double(n) - p) < 5 * (p * (1 - p) / Double(n)).squareRoot())
        #expect(g.bernoulliMask(shape: [1000], dtype: dtype, keepProbability: 0).doubles.allSatisfy { $0 == 0 })
        #expect(g.bernoulliMask(shape: [1000], dtype: dtype, keepProbability: 1).doubles.allSatisfy { $0 == 1 })
    }

    /// Mean and variance of a standard normal truncated to [a, b] (mirrored into the lower
    /// tail so that far upper-tail intervals keep their precision).
    private func truncatedMoments(_ a: Double, _ b: Double) -> (mean: Double, variance: Double) {
        if a > 0 { let m = truncatedMoments(-b, -a); return (-m.mean, m.variance) }
        let phi = { (x: Double) in exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        let z = RandomGenerator.normalCDF(b) - RandomGenerator.normalCDF(a)
        let mean = (phi(a) - phi(b)) / z
        return (mean, 1 + (a * phi(a) - b * phi(b)) / z - mean * mean)
    }

    @Test(arguments: [(-2.0, 2.0), (1.0, 3.0), (-3.0, -0.5), (5.0, 6.0), (-1.0, 8.0), (16.0, 20.0)])
    func truncatedNormalIsBoundedWithTheRightMoments(bounds: (Double, Double)) {
        let (lower, upper) = bounds
        let n = 200_000
        for dtype in DType.allCases {
            var g = RandomGenerator(seed: 13)
            // σ = 2, mean 0: standardized bounds are lower/2, upper/2.
            let x = g.truncatedNormal(shape: [n], dtype: dtype, standardDeviation: 2, lower: lower, upper: upper).doubles
            #expect(x.allSatisfy { $0 >= lower && $0 <= upper })
            let expected = truncatedMoments(lower / 2, upper / 2)
            let (mean, variance) = moments(x)
            let sd = 2 * expected.variance.squareRoot()
            #expect(abs(mean - 2 * expected.mean) < 5 * sd / Double(n).squareRoot())
            #expect(abs(variance - sd * sd) < 5 * sd * sd * (2 / Double(n)).squareRoot())
        }
    }

    @Test func inverseNormalCDFInvertsTheCDF() {
        for p in [1e-300, 1e-12, 1e-4, 0.02, 0.1, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9] {
            let x = RandomGenerator.inverseNormalCDF(p)
            #expect(abs(RandomGenerator.normalCDF(x) - p) <= 1e-13 * p, "p = \(p)")
        }
        #expect(abs(RandomGenerator.inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
    }

    @Test func permutationIsAShuffledPermutation() {
        var g = RandomGenerator(seed: 3)
        let p = g.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        #expect(p != g.permutation(1000))
        #expect(g.permutation(0).isEmpty && g.permutation(1) == [0])
    }

    @Test func uniformIntIsInRangeAndUnbiased() {
        var g = RandomGenerator(seed: 4)
        let (bins, n) = (7, 700_000)
        var counts = [Int](repeating: 0, count: bins)
        for _ in 0..<n { counts[g.uniformInt(below: bins)] += 1 }
        let expected = Double(n) / Double(bins)
        let sd = (expected * (1 - 1 / Double(bins))).squareRoot()
        #expect(counts.allSatisfy { abs(Double($0) - expected) < 5 * sd }, "\(counts)")
        #expect((0..<1000).allSatisfy { _ in g.uniformInt(below: 1) == 0 })
    }
}

extension RandomGenerator {
    /// `count` Double uniforms in [0, 1) from a copy of this generator.
    fileprivate func uniformUnitDoubles(_ count: Int) -> [Double] {
        var g = self
        return g.uniform(shape: [count], dtype: .float64).doubles
    }
}
