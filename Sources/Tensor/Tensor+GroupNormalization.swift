import CKernels

/// The groups a normalisation averages over, for the two layouts Sharp's layers use: contiguous
/// rows (LayerNorm over the last axis) and the channels of NCHW (BatchNorm over N, H and W).
public enum NormalizationGroups: Equatable, Sendable {
    /// Every run of `length` consecutive elements is a group.
    case rows(length: Int)
    /// Group c holds x[n, c, :, :] for every n (`plane` = H·W elements per image).
    case channels(batch: Int, channels: Int, plane: Int)

    /// The layout for normalising over `axes` of `shape`, or nil for any other reduction.
    public init?(shape: [Int], axes: [Int]) {
        let rank = shape.count
        let resolved = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        guard rank >= 1, shape.allSatisfy({ $0 > 0 }) else { return nil }
        if resolved == [rank - 1] {
            self = .rows(length: shape[rank - 1])
        } else if rank == 4, resolved == [0, 2, 3] {
            self = .channels(batch: shape[0], channels: shape[1], plane: shape[2] * shape[3])
        } else {
            return nil
        }
    }

    /// Elements per group.
    public var groupSize: Int {
        switch self {
        case .rows(let length): return length
        case .channels(let batch, _, let plane): return batch * plane
        }
    }

    /// Number of groups in a tensor of `count` elements.
    public func groupCount(elements count: Int) -> Int {
        switch self {
        case .rows(let length): return count / length
        case .channels(_, let channels, _): return channels
        }
    }

    /// Calls `body(group, start, length)` for every contiguous run of one group's elements, the
    /// runs of `groups` in parallel and each group's runs in order (so sums are deterministic).
    func forEachRun(count: Int, _ body: (Int, Int, Int) -> Void) {
        let total = groupCount(elements: count)
        Parallel.forEachChunk(total, costPerItem: groupSize) { chunk in
            for group in chunk {
                switch self {
                case .rows(let length): body(group, group * length, length)
                case .channels(let batch, let channels, let plane):
                    for n in 0..<batch { body(group, (n * channels + group) * plane, plane) }
                }
            }
        }
    }
}

/// Kernels of a fused normalisation (`Var.normalized`): per-group sums accumulated in Double, and
/// one per-group affine map. Two reads of x give the statistics, one pass gives the output.
extension Tensor {
    /// Σ x over each group.
    public func groupSums(_ groups: NormalizationGroups) -> [Double] {
        switch dtype {
        case .float32: return groupReduce(groups, Float.self, other: nil, centers: nil)
        case .float64: return groupReduce(groups, Double.self, other: nil, centers: nil)
        }
    }

    /// Σ (x − centerᵍ)² over each group.
    public func groupCenteredSquares(_ groups: NormalizationGroups, centers: [Double]) -> [Double] {
        switch dtype {
        case .float32: return groupReduce(groups, Float.self, other: nil, centers: centers)
        case .float64: return groupReduce(groups, Double.self, other: nil, centers: centers)
        }
    }

    /// Σ x·y over each group (`other` has this shape).
    public func groupDotSums(_ groups: NormalizationGroups, with other: Tensor) -> [Double] {
        tensorCheck(other.shape == shape && other.dtype == dtype, "groupDotSums", "shapes \(shape) and \(other.shape) differ")
        switch dtype {
        case .float32: return groupReduce(groups, Float.self, other: other, centers: nil)
        case .float64: return groupReduce(groups, Double.self, other: other, centers: nil)
        }
    }

    /// Σ x, Σ (x − c)² or Σ x·y per group, in Double: Float32 through CKernels' vector sums
    /// (Sources/CKernels/sums.c), Float64 here with four partial sums (vectorisable).
    private func groupReduce<T: TensorScalar>(_ groups: NormalizationGroups, _: T.Type, other: Tensor?, centers: [Double]?) -> [Double] {
        var sums = [Double](repeating: 0, count: groups.groupCount(elements: count))
        let x = pointer(T.self), y = other?.pointer(T.self)
        sums.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendable(out)
            if T.self == Float.self {
                let x = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
                let y = y.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) }
                groups.forEachRun(count: count) { g, start, length in
                    let sum: Double =
                        if let y { sharp_dot_f64_of_f32(x + start, y + start, length) }
                        else if let centers { sharp_centered_squares_f64_of_f32(x + start, length, centers[g]) }
                        else { sharp_sum_f64_of_f32(x + start, length) }
                    box.value[g] += sum
                }
                return
            }
            groups.forEachRun(count: count) { g, start, length in
                let p = x + start
                var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
                var i = 0
                if let y {
                    let q = y + start
                    while i + 4 <= length {
                        a0 += Double(p[i]) * Double(q[i]); a1 += Double(p[i + 1]) * Double(q[i + 1])
                        a2 += Double(p[i + 2]) * Double(q[i + 2]); a3 += Double(p[i + 3]) * Double(q[i + 3])
                        i += 4
                    }
                    while i < length { a0 += Double(p[i]) * Double(q[i]); i += 1 }
                } else if let centers {
                    let c = centers[g]
                    while i + 4 <= length {
                        let d0 = Double(p[i]) - c, d1 = Double(p[i + 1]) - c, d2 = Double(p[i + 2]) - c, d3 = Double(p[i + 3]) - c
                        a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3
                        i += 4
                    }
                    while i < length { let d = Double(p[i]) - c; a0 += d * d; i += 1 }
                } else {
                    while i + 4 <= length {
                        a0 += Double(p[i]); a1 += Double(p[i + 1]); a2 += Double(p[i + 2]); a3 += Double(p[i + 3])
                        i += 4
                    }
                    while i < length { a0 += Double(p[i]); i += 1 }
                }
                box.value[g] += (a0 + a1) + (a2 + a3)
            }
        }
        return sums
    }

    /// (x − centerᵍ)·scaleᵍ for every element of group g (a new tensor).
    public func groupAffine(_ groups: NormalizationGroups, center: [Double]?, scale: [Double]) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: groupAffineKernel(groups, Float.self, out, center, scale)
        case .float64: groupAffineKernel(groups, Double.self, out, center, scale)
        }
        return out
    }

    private func groupAffineKernel<T: TensorScalar>(_ groups: NormalizationGroups, _: T.Type, _ out: Tensor, _ center: [Double]?, _ scale: [Double]) {
        let (x, y) = (pointer(T.self), out.pointer(T.self))
        groups.forEachRun(count: count) { g, start, length in
            let (c, s) = (T(center?[g] ?? 0), T(scale[g]))
            let (src, dst) = (x + start, y + start)
            for i in 0..<length { dst[i] = (src[i] - c) * s }
        }
    }
}
