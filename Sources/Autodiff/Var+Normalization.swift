import Tensor

/// Normalisation: fused kernels where the layout allows (LayerNorm's rows, BatchNorm's NCHW
/// channels), a composite of differentiable operations elsewhere.
extension Var {
    /// (x − mean) / √(var + ε) over `axes`, with the biased variance (PyTorch's LayerNorm and
    /// BatchNorm training statistics).
    public func normalized(axes: [Int], epsilon: Double) -> Var {
        normalizedWithStatistics(axes: axes, epsilon: epsilon).output
    }

    /// `normalized(axes:epsilon:)` with the group means and biased variances it used (shape of x
    /// with `axes` kept as 1s), e.g. for BatchNorm's running statistics.
    ///
    /// Fused form: s = 1/√(var + ε) and y = (x − μ)·s are two recorded nodes, y's inputs being x
    /// and s. With s held fixed, y's pullback is s·(g − mean g) for x and Σ g·y / s for s; s's own
    /// pullback is −t·s²·y/n (∂s/∂x = −s³(x − μ)/n). Together they give the familiar
    /// s·(g − mean g − y·mean(g·y)). In a sweep that records nothing each is one fused kernel;
    /// a recorded sweep (for an HVP) writes them in differentiable operations instead.
    public func normalizedWithStatistics(axes: [Int], epsilon: Double) -> (output: Var, mean: Tensor, variance: Tensor) {
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        let statShape = shape.enumerated().map { resolved.contains($0.offset) ? 1 : $0.element }
        guard let groups = NormalizationGroups(shape: shape, axes: resolved) else {
            let mean = self.mean(axes: resolved, keepingDimensions: true)
            let centered = self - mean
            let variance = centered.squared().mean(axes: resolved, keepingDimensions: true)
            return (centered / (variance + epsilon).sqrt(), mean.value, variance.value)
        }
        let n = Double(groups.groupSize)
        let means = value.groupSums(groups).map { $0 / n }
        let variances = value.groupCenteredSquares(groups, centers: means).map { $0 / n }
        let inverse = variances.map { 1 / ($0 + epsilon).squareRoot() }
        let y = value.groupAffine(groups, center: means, scale: inverse)

        let s = Var.record(Tensor(shape: statShape, scalars: inverse, dtype: dtype), [self], op: "inverseDeviation") { t, inputs, s, _ in
            if !Var.recordsAny([t, inputs[0]]) {
                let factors = zip(t.value.doubles, inverse).map { -$0 * $1 * $1 / n }
                return [Var(y.groupAffine(groups, center: nil, scale: factors))]
            }
            let centered = inputs[0] - inputs[0].mean(axes: resolved, keepingDimensions: true)
            return [(t * s * s * s * (-1 / n)) * centered]
        }
        let output = Var.record(y, [self, s], op: "normalize") { g, inputs, y, needs in
            if !Var.recordsAny([g, inputs[0], inputs[1]]) {
                let gradientMeans = g.value.groupSums(groups).map { $0 / n }
                let dx = needs[0] ? Var(g.value.groupAffine(groups, center: gradientMeans, scale: inverse)) : nil
                let ds = needs[1]
                    ? Var(Tensor(shape: statShape, scalars: zip(g.value.groupDotSums(groups, with: y.value), inverse).map { $0 / $1 }, dtype: g.dtype))
                    : nil
                return [dx, ds]
            }
            let s = inputs[1]
            return [
                needs[0] ? s * (g - g.mean(axes: resolved, keepingDimensions: true)) : nil,
                needs[1] ? (g * y).sum(axes: resolved, keepingDimensions: true) / s : nil,
            ]
        }
        return (output, Tensor(shape: statShape, scalars: means, dtype: dtype), Tensor(shape: statShape, scalars: variances, dtype: dtype))
    }

    /// LayerNorm over the last axis: normalized · weight + bias.
    public func layerNormalized(weight: Var, bias: Var, epsilon: Double = 1e-5) -> Var {
        normalized(axes: [-1], epsilon: epsilon) * weight + bias
    }

    /// Affine map `self · weightᵀ + bias` with PyTorch's `[out, in]` weight layout.
    public func linear(weight: Var, bias: Var?) -> Var {
        let y = matmul(weight, transposeOther: true)
        guard let bias else { return y }
        return y + bias
    }
}
