import CKernels
import Testing

/// CKernels' Float64 sums of Float32 values (sums.c): every build returns the same bits, and the
/// sums match plain Double loops.
struct SumKernelTests {
    @Test(arguments: [0, 1, 15, 16, 17, 31, 32, 33, 100, 1_000, 4_099])
    func everyBuildGivesTheSameBitsAndTheRightSum(_ n: Int) {
        var r = KernelRandom(seed: UInt64(n) + 5)
        let x = (0..<n).map { _ in Float(r.symmetric() * 3 + 1) }
        let y = (0..<n).map { _ in Float(r.symmetric()) }
        let center = 0.75
        let exact = (
            x.reduce(0.0) { $0 + Double($1) },
            x.reduce(0.0) { $0 + (Double($1) - center) * (Double($1) - center) },
            zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        )
        var results: [[Double]] = []
        for build in Int32(0)...sharp_kernels_build() {
            results.append([
                sharp_sum_f64_of_f32_build(build, x, n), sharp_centered_squares_f64_of_f32_build(build, x, n, center),
                sharp_dot_f64_of_f32_build(build, x, y, n),
            ])
        }
        #expect(results.allSatisfy { $0.map(\.bitPattern) == results[0].map(\.bitPattern) }, "\(results)")
        let limit = 1e-12 * Double(max(n, 1)) * 10
        #expect(abs(results[0][0] - exact.0) <= limit && abs(results[0][1] - exact.1) <= limit && abs(results[0][2] - exact.2) <= limit,
            "\(results[0]) vs \(exact)")
    }
}
