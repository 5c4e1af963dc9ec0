import Synchronization

/// The multiply-adds of every GEMM and convolution kernel this process has run (BLAS.gemm,
/// batched GEMMs, and the direct convolutions of FlatConvolution.swift), counted at each call
/// from its sizes. `sharp-bench` reads it to put an HVP's arithmetic next to a gradient's: a
/// time ratio can only beat the ratio of the work done by running the HVP's kernels faster.
public enum MultiplyAddCount {
    private static let count = Atomic<Int>(0)

    /// Multiply-adds counted so far.
    public static var total: Int { count.load(ordering: .relaxed) }

    static func add(_ n: Int) { count.wrappingAdd(n, ordering: .relaxed) }
}
