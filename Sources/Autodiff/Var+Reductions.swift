import Tensor

/// Sums, means and maxima over axes.
extension Var {
    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Var {
        let source = shape
        let kept = axes.map { list in list.map { $0 < 0 ? $0 + rank : $0 } } ?? Array(0..<rank)
        let keptShape = source.enumerated().map { kept.contains($0.offset) ? 1 : $0.element }
        return Var.record(value.sum(axes: axes, keepingDimensions: keepingDimensions), [self], op: "sum") { g, x, _, _ in
            [Var.broadcastCotangent(g.reshaped(keptShape), to: source, for: x[0])]
        }
    }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Var {
        let n = (axes ?? Array(0..<rank)).reduce(1) { $0 * shape[$1 < 0 ? $1 + rank : $1] }
        return sum(axes: axes, keepingDimensions: keepingDimensions) * (1 / Double(Swift.max(n, 1)))
    }

    /// Maximum over `axes` (all when nil); tied maxima share the gradient equally.
    public func max(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Var {
        let source = shape
        let kept = axes.map { list in list.map { $0 < 0 ? $0 + rank : $0 } } ?? Array(0..<rank)
        let keptShape = source.enumerated().map { kept.contains($0.offset) ? 1 : $0.element }
        return Var.record(value.max(axes: axes, keepingDimensions: keepingDimensions), [self], op: "max") { g, x, y, _ in
            let hits = x[0].value.equalMask(y.value.reshaped(keptShape), op: "max")
            let share = hits / hits.sum(axes: kept, keepingDimensions: true)
            return [g.reshaped(keptShape).broadcast(to: source).multiplied(byConstant: share)]
        }
    }
}
