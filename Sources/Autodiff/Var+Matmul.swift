import Tensor

extension Var {
    /// `op(self) · op(other)`, 2-D or batched 3-D; a 3-D `self` times a 2-D `other` folds the
    /// batch into rows (one GEMM).
    ///
    /// Pullbacks (op on the last two axes): for C = A·B, ∂A = G·Bᵀ and ∂B = Aᵀ·G; the
    /// transposed variants reorder the same two products, so no transpose is materialised.
    public func matmul(_ other: Var, transposeSelf: Bool = false, transposeOther: Bool = false) -> Var {
        let (tA, tB) = (transposeSelf, transposeOther)
        if rank == 3 && other.rank == 2 {
            tensorCheck(!tA, "matmul", "a transposed batched left operand \(shape) needs a batched right operand, got \(other.shape)")
            let rows = reshaped([-1, shape[2]]).matmul(other, transposeOther: tB)
            return rows.reshaped([shape[0], shape[1], rows.shape[1]])
        }
        return Var.record(value.matmul(other.value, transposeSelf: tA, transposeOther: tB), [self, other], op: "matmul") {
            g, x, _, needs in
            let (a, b) = (x[0], x[1])
            let ga: Var? =
                !needs[0] ? nil
                : tA ? b.matmul(g, transposeSelf: tB, transposeOther: true) : g.matmul(b, transposeOther: !tB)
            let gb: Var? =
                !needs[1] ? nil
                : tB ? g.matmul(a, transposeSelf: true, transposeOther: tA) : a.matmul(g, transposeSelf: !tA)
            return [ga, gb]
        }
    }
}
