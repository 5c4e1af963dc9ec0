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
        let out = Tensor(uninitialized: outShape, dtype: dtype)
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

