import CBLAS

/// Checked GEMM through OpenBLAS, parallelised by Sharp rather than by OpenBLAS.
///
/// OpenBLAS is pinned to one thread: its pthread workers spin (`sched_yield`) between calls and
/// fought Sharp's own worker threads for the two cores (a third of all cycles in a profile of a
/// VGG gradient). Sharp instead splits each large GEMM into column or row blocks, one
/// single-threaded BLAS call per worker. Every output element is still computed by one call
/// with a fixed summation order, so results are deterministic for a given thread count.
public enum BLAS {
    private static let configureOnce: Void = { openblas_set_num_threads(1) }()

    /// OpenBLAS's build description (version, architecture, kernel).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// Below this many multiply-adds a GEMM runs as one call.
    static let minimumParallelWork = 1 << 19

    /// `C = op(A)·op(B) + beta·C` for row-major matrices, split across `Parallel.threads` when
    /// `parallel` and the problem is large enough.
    public static func gemm<T: TensorScalar>(
        _: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int,
        beta: T = 0, parallel: Bool = true
    ) {
        _ = configureOnce
        if m == 0 || n == 0 { return }
        MultiplyAddCount.add(m * n * k)
        if k == 0 {
            // An empty sum: C = beta·C. BLAS would reject the zero leading dimensions.
            for r in 0..<m { for j in 0..<n { c[r * ldc + j] = beta == 0 ? 0 : c[r * ldc + j] * beta } }
            return
        }
        // OpenBLAS reports illegal arguments by printing and returning, leaving C untouched; check
        // here so a bad call stops with the dimensions instead of producing silent garbage.
        let limit = Int(Int32.max)
        tensorCheck(m <= limit && n <= limit && k <= limit, "gemm", "sizes m=\(m) n=\(n) k=\(k) exceed 32-bit BLAS")
        tensorCheck(lda >= (transposeA ? m : k), "gemm", "lda=\(lda) too small for m=\(m) k=\(k)")
        tensorCheck(ldb >= (transposeB ? k : n), "gemm", "ldb=\(ldb) too small for k=\(k) n=\(n)")
        tensorCheck(ldc >= n, "gemm", "ldc=\(ldc) too small for n=\(n)")

        let workers = parallel ? min(Parallel.threads, max(1, m * n * k / minimumParallelWork)) : 1
        if workers <= 1 {
            accumulate(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        // Blocks in multiples of 16 keep the micro-kernels on full tiles.
        let blocks = (0...workers).map { w in min(extent, ((extent * w / workers) + 15) / 16 * 16) }
        WorkerPool.shared.run(workers) { w in
            let (lo, hi) = (blocks[w], w == workers - 1 ? extent : blocks[w + 1])
            guard lo < hi else { return }
            if splitColumns {
                accumulate(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: hi - lo, k: k,
                    a: a, lda: lda, b: transposeB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            } else {
                accumulate(T.self, transposeA: transposeA, transposeB: transposeB, m: hi - lo, n: n, k: k,
                    a: transposeA ? a + lo : a + lo * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
            }
        }
    }

    /// One single-threaded BLAS call. For beta = 0, C is cleared here and BLAS accumulates into
    /// it (beta = 1): OpenBLAS's own beta = 0 pass (`sgemm_beta`) took several times as long as a
    /// memset, which is a tenth of a convolution's backward-input face (small k, large C).
    @inline(__always)
    private static func accumulate<T: TensorScalar>(
        _: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        var beta = beta
        if beta == 0 {
            let rowBytes = n * MemoryLayout<T>.stride
            if ldc == n {
                UnsafeMutableRawPointer(c).initializeMemory(as: UInt8.self, repeating: 0, count: m * rowBytes)
            } else {
                for r in 0..<m { UnsafeMutableRawPointer(c + r * ldc).initializeMemory(as: UInt8.self, repeating: 0, count: rowBytes) }
            }
            beta = 1
        }
        T.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `C_i = op(A_i)·op(B_i)` for each batch entry (`strideB` 0 shares B): batch entries are split
    /// across workers when there are several, otherwise the single GEMM is.
    public static func batchedGEMM<T: TensorScalar>(
        _: T.Type, batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, strideA: Int, b: UnsafePointer<T>, ldb: Int, strideB: Int,
        c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        if batch == 1 {
            gemm(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }
        let task = UncheckedSendable((a, b, c))
        Parallel.forEachChunk(batch, costPerItem: m * n * k / 4) { range in
            let (a, b, c) = task.value
            for i in range {
                gemm(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, c: c + i * m * ldc, ldc: ldc, parallel: false)
            }
        }
    }
}
