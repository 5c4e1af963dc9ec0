/// Shape arithmetic shared by the kernels: element counts, strides, broadcasting.
public enum Shape {
    /// Product of the extents (1 for a scalar).
    @inline(__always) public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The NumPy broadcast of two shapes, or a stop naming both shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        return (0..<rank).map { axis in
            let (x, y) = (pa[axis], pb[axis])
            tensorCheck(x == y || x == 1 || y == 1, op, "shapes \(a) and \(b) cannot be broadcast together")
            return x == 1 ? y : x
        }
    }

    /// Strides that read `shape` as if it had been broadcast to `target` (0 on stretched axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        let own = strides(padded)
        return (0..<target.count).map { padded[$0] == 1 && target[$0] != 1 ? 0 : own[$0] }
    }

    /// Merges adjacent axes that every operand walks contiguously (stride[i] = stride[i+1]·extent[i+1],
    /// which also holds when both are broadcast), and drops extent-1 axes. Loops over the result
    /// see fewer, longer rows: [16,32,32,32] + [1,32,1,1] becomes [16,32,1024] + strides (0,1,0).
    static func collapse(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for axis in shape.indices where shape[axis] != 1 {
            if let last = outShape.indices.last,
                strides.indices.allSatisfy({ strides[$0][axis] * shape[axis] == outStrides[$0][last] })
            {
                outShape[last] *= shape[axis]
                for k in strides.indices { outStrides[k][last] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in strides.indices { outStrides[k].append(strides[k][axis]) }
            }
        }
        if outShape.isEmpty { return ([1], strides.map { _ in [1] }) }
        return (outShape, outStrides)
    }

    /// Resolves one `-1` extent and checks that the element count is preserved.
    static func resolve(_ shape: [Int], count: Int, op: String) -> [Int] {
        let unknown = shape.indices.filter { shape[$0] == -1 }
        tensorCheck(unknown.count <= 1, op, "more than one -1 in \(shape)")
        var resolved = shape
        if let axis = unknown.first {
            let known = shape.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            tensorCheck(known > 0 && count % known == 0, op, "cannot reshape \(count) elements to \(shape)")
            resolved[axis] = count / known
        }
        tensorCheck(Shape.count(resolved) == count, op, "cannot reshape \(count) elements to \(shape)")
        return resolved
    }

    /// The row-major multi-index of row `row` over the axes `outer`.
    @inline(__always) static func index(ofRow row: Int, in outer: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: outer.count)
        var rem = row
        for axis in stride(from: outer.count - 1, through: 0, by: -1) {
            index[axis] = rem % outer[axis]
            rem /= outer[axis]
        }
        return index
    }

    /// Moves the row-major multi-index `index` over `outer` on to the next row (zeros after the last).
    @inline(__always) static func advance(_ index: inout [Int], in outer: [Int]) {
        var axis = outer.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < outer[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }

    /// `lower` and `sizes` of the block of `shape` that is `length` entries from `start` along
    /// `axis` and everything along the other axes (what `sliced(axis:start:count:)` takes).
    public static func block(of shape: [Int], axis: Int, start: Int, count length: Int, op: String) -> (lower: [Int], sizes: [Int]) {
        let a = Shape.axis(axis, rank: shape.count, op: op)
        var lower = [Int](repeating: 0, count: shape.count)
        var sizes = shape
        lower[a] = start
        sizes[a] = length
        return (lower, sizes)
    }

    /// Normalises a possibly negative axis against `rank`.
    public static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        tensorCheck(a >= 0 && a < rank, op, "axis \(axis) out of range for rank \(rank)")
        return a
    }
}
