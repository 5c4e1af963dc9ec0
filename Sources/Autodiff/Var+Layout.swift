import Tensor

/// Rearrangements: reshape, permute, slice/embed, concat, roll, gather/scatter.
extension Var {
    /// The same elements in a new shape (one extent may be -1).
    public func reshaped(_ newShape: [Int]) -> Var {
        let source = shape
        let result = value.reshaped(newShape)
        if result.shape == source { return self }
        return Var.record(result, [self], op: "reshape") { g, _, _, _ in [g.reshaped(source)] }
    }

    /// Axes reordered: result axis i is axis `axes[i]` of this variable.
    public func permuted(_ axes: [Int]) -> Var {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (i, a) in axes.enumerated() where a >= 0 && a < axes.count { inverse[a] = i }
        return Var.record(value.permuted(axes), [self], op: "permute") { g, _, _, _ in [g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int, _ b: Int) -> Var {
        var axes = Array(0..<rank)
        axes.swapAt(Shape.axis(a, rank: rank, op: "transpose"), Shape.axis(b, rank: rank, op: "transpose"))
        return permuted(axes)
    }

    /// The block `lower ..< lower + sizes`.
    public func sliced(lower: [Int], sizes: [Int]) -> Var {
        let source = shape
        return Var.record(value.sliced(lower: lower, sizes: sizes), [self], op: "slice") { g, _, _, _ in
            [g.embedded(in: source, at: lower)]
        }
    }

    /// `length` entries from `start` along `axis`.
    public func sliced(axis: Int, start: Int, count length: Int) -> Var {
        let block = Shape.block(of: shape, axis: axis, start: start, count: length, op: "slice")
        return sliced(lower: block.lower, sizes: block.sizes)
    }

    /// This block placed at `lower` in zeros of `outerShape` (the adjoint of `sliced`).
    public func embedded(in outerShape: [Int], at lower: [Int]) -> Var {
        let size = shape
        return Var.record(value.embedded(in: outerShape, at: lower), [self], op: "embed") { g, _, _, _ in
            [g.sliced(lower: lower, sizes: size)]
        }
    }

    /// Variables joined along `axis`.
    public static func concatenate(_ parts: [Var], axis: Int) -> Var {
        let extents = parts.map { $0.shape[Shape.axis(axis, rank: $0.rank, op: "concat")] }
        return Var.record(Tensor.concatenate(parts.map(\.value), axis: axis), parts, op: "concat") { g, _, _, needs in
            var start = 0
            return extents.enumerated().map { i, extent in
                defer { start += extent }
                return needs[i] ? g.sliced(axis: axis, start: start, count: extent) : nil
            }
        }
    }

    /// Circular shift along axes (torch.roll).
    public func rolled(shifts: [Int], axes: [Int]) -> Var {
        Var.record(value.rolled(shifts: shifts, axes: axes), [self], op: "roll") { g, _, _, _ in
            [g.rolled(shifts: shifts.map { -$0 }, axes: axes)]
        }
    }

    /// `result[i] = self.flat[indices[i]]`, shaped `shape`.
    public func gathered(flatIndices indices: [Int], shape outShape: [Int]) -> Var {
        let source = shape
        return Var.record(value.gathered(flatIndices: indices, shape: outShape), [self], op: "gather") { g, _, _, _ in
            [g.scatterAdded(flatIndices: indices, shape: source)]
        }
    }

    /// Zeros of `shape` with `self.flat[i]` added at `indices[i]` (the adjoint of `gathered`).
    public func scatterAdded(flatIndices indices: [Int], shape outShape: [Int]) -> Var {
        let source = shape
        return Var.record(value.scatterAdded(flatIndices: indices, shape: outShape), [self], op: "scatterAdd") { g, _, _, _ in
            [g.gathered(flatIndices: indices, shape: source)]
        }
    }
}
