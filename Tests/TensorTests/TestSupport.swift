import Tensor

/// Seeded inputs for kernel tests (SplitMix64; independent of the engine's generator).
struct KernelRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func symmetric() -> Double { Double(next() >> 11) * 0x1p-52 - 1 }

    mutating func tensor(_ shape: [Int], dtype: DType = .float64) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in symmetric() }, dtype: dtype)
    }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Naive direct convolution (six nested loops) as the oracle for im2col + GEMM.
func naiveConvolution(_ x: Tensor, _ w: Tensor, stride: (Int, Int), padding: (Int, Int), groups: Int) -> [Double] {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let oh = (h + 2 * padding.0 - kh) / stride.0 + 1
    let ow = (wd + 2 * padding.1 - kw) / stride.1 + 1
    let (xs, ws) = (x.doubles, w.doubles)
    var out = [Double](repeating: 0, count: n * o * oh * ow)
    let og = o / groups
    for b in 0..<n {
        for oc in 0..<o {
            let g = oc / og
            for i in 0..<oh {
                for j in 0..<ow {
                    var acc = 0.0
                    for ic in 0..<cg {
                        let channel = g * cg + ic
                        for ki in 0..<kh {
                            for kj in 0..<kw {
                                let (y, xx) = (i * stride.0 - padding.0 + ki, j * stride.1 - padding.1 + kj)
                                if y < 0 || y >= h || xx < 0 || xx >= wd { continue }
                                acc += xs[((b * c + channel) * h + y) * wd + xx] * ws[((oc * cg + ic) * kh + ki) * kw + kj]
                            }
                        }
                    }
                    out[((b * o + oc) * oh + i) * ow + j] = acc
                }
            }
        }
    }
    _ = c
    return out
}
