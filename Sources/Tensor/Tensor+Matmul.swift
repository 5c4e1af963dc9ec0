import CBLAS

/// Matrix products through OpenBLAS (`cblas_sgemm` / `cblas_dgemm`).
extension Tensor {
    /// `op(self) · op(other)` where `op` optionally transposes the last two axes.
    ///
    /// Rank 2 × rank 2 is one GEMM; rank 3 × rank 3 (equal batch) is a batched GEMM; a rank-3
    /// `self` times a rank-2 `other` shares `other` across the batch.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let op = "matmul"
        tensorCheck(dtype == other.dtype, op, "dtypes \(dtype) and \(other.dtype) differ (shapes \(shape), \(other.shape))")
        tensorCheck(
            (rank == 2 || rank == 3) && (other.rank == 2 || other.rank == 3) && !(rank == 2 && other.rank == 3), op,
            "unsupported ranks: shapes \(shape) and \(other.shape) (use 2-D or batched 3-D operands)")
        let batch = rank == 3 ? shape[0] : 1
        if rank == 3 && other.rank == 3 {
            tensorCheck(other.shape[0] == batch, op, "batch sizes differ: shapes \(shape) and \(other.shape)")
        }
        let (r0, c0) = (shape[rank - 2], shape[rank - 1])
        let (r1, c1) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        let (m, k) = transposeSelf ? (c0, r0) : (r0, c0)
        let (k2, n) = transposeOther ? (c1, r1) : (r1, c1)
        tensorCheck(
            k == k2, op,
            "inner dimensions differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "") (\(k) vs \(k2))")
        let outShape = rank == 3 ? [batch, m, n] : [m, n]
        let out = Tensor(zeros: outShape, dtype: dtype)
        guard m > 0, n > 0 else { return out }
        let strideA = r0 * c0
        let strideB = other.rank == 3 ? r1 * c1 : 0
        switch dtype {
        case .float32:
            BLAS.batchedGEMM(
                Float.self, batch: batch, transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                a: pointer(Float.self), lda: c0, strideA: strideA, b: other.pointer(Float.self), ldb: c1, strideB: strideB,
                c: out.pointer(Float.self), ldc: n)
        case .float64:
            BLAS.batchedGEMM(
                Double.self, batch: batch, transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                a: pointer(Double.self), lda: c0, strideA: strideA, b: other.pointer(Double.self), ldb: c1, strideB: strideB,
                c: out.pointer(Double.self), ldc: n)
        }
        return out
    }
}

/// Thin, checked wrappers over OpenBLAS.
public enum BLAS {
    /// Threads OpenBLAS may use (it is told once at start-up; `SHARP_THREADS` overrides).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// OpenBLAS's build description (version, architecture, kernel).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// `C_b = op(A_b)·op(B_b)` for each batch entry (`beta` 0 overwrites C, 1 accumulates).
    public static func batchedGEMM<T: TensorScalar>(
        _: T.Type, batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, strideA: Int, b: UnsafePointer<T>, ldb: Int, strideB: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T = 0
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty sum: C = beta·C. BLAS would reject the zero leading dimensions.
            for i in 0..<batch { for r in 0..<m { for j in 0..<n { let p = c + i * m * ldc + r * ldc + j; p.pointee = beta == 0 ? 0 : p.pointee * beta } } }
            return
        }
        // OpenBLAS reports illegal arguments by printing and returning, leaving C untouched; check
        // here so a bad call stops with the dimensions instead of producing silent garbage.
        let lim = Int(Int32.max)
        tensorCheck(
            m >= 0 && n >= 0 && k >= 0 && m <= lim && n <= lim && k <= lim, "gemm",
            "illegal sizes m=\(m) n=\(n) k=\(k)")
        tensorCheck(lda >= max(1, transposeA ? m : k), "gemm", "lda=\(lda) too small for m=\(m) k=\(k)")
        tensorCheck(ldb >= max(1, transposeB ? k : n), "gemm", "ldb=\(ldb) too small for k=\(k) n=\(n)")
        tensorCheck(ldc >= max(1, n), "gemm", "ldc=\(ldc) too small for n=\(n)")
        for i in 0..<batch {
            T.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta, c: c + i * m * ldc, ldc: ldc)
        }
    }
}
