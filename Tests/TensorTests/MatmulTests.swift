import Tensor
import Testing

struct MatmulTests {
    func naive(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Double] {
        let (ar, ac) = (a.shape[0], a.shape[1])
        let (br, bc) = (b.shape[0], b.shape[1])
        let (m, k) = ta ? (ac, ar) : (ar, ac)
        let n = tb ? br : bc
        let (x, y) = (a.doubles, b.doubles)
        return (0..<(m * n)).map { idx in
            let (i, j) = (idx / n, idx % n)
            return (0..<k).reduce(0.0) { acc, p in
                acc + (ta ? x[p * ac + i] : x[i * ac + p]) * (tb ? y[j * bc + p] : y[p * bc + j])
            }
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesNaiveLoops(_ transposes: (Bool, Bool)) {
        var r = KernelRandom(seed: 11)
        let (ta, tb) = transposes
        let a = r.tensor(ta ? [7, 5] : [5, 7])
        let b = r.tensor(tb ? [3, 7] : [7, 3])
        let c = a.matmul(b, transposeSelf: ta, transposeOther: tb)
        #expect(c.shape == [5, 3])
        #expect(maxAbsDifference(c.doubles, naive(a, b, ta, tb)) < 1e-13)
        let c32 = a.converted(to: .float32).matmul(b.converted(to: .float32), transposeSelf: ta, transposeOther: tb)
        #expect(c32.dtype == .float32)
        #expect(maxAbsDifference(c32.doubles, naive(a, b, ta, tb)) < 1e-5)
    }

    @Test func batchedGemmMultipliesEachPair() {
        var r = KernelRandom(seed: 12)
        let a = r.tensor([4, 3, 6])
        let b = r.tensor([4, 6, 2])
        let c = a.matmul(b)
        #expect(c.shape == [4, 3, 2])
        for i in 0..<4 {
            let expected = naive(a.sliced(axis: 0, start: i, count: 1).reshaped([3, 6]), b.sliced(axis: 0, start: i, count: 1).reshaped([6, 2]), false, false)
            #expect(maxAbsDifference(c.sliced(axis: 0, start: i, count: 1).doubles, expected) < 1e-13)
        }
        let shared = r.tensor([6, 5])
        let d = a.matmul(shared)
        #expect(d.shape == [4, 3, 5])
        #expect(maxAbsDifference(d.sliced(axis: 0, start: 2, count: 1).doubles,
            naive(a.sliced(axis: 0, start: 2, count: 1).reshaped([3, 6]), shared, false, false)) < 1e-13)
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let c = Tensor(zeros: [3, 0], dtype: .float64).matmul(Tensor(zeros: [0, 2], dtype: .float64))
        #expect(c.shape == [3, 2] && c.doubles.allSatisfy { $0 == 0 })
    }
}
