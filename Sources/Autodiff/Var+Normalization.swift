import Tensor

/// Normalisation written as a composite of differentiable operations (its second derivative
/// comes for free).
extension Var {
    /// (x − mean) / √(var + ε) over `axes`, with the biased variance (PyTorch's LayerNorm and
    /// BatchNorm training statistics).
    public func normalized(axes: [Int], epsilon: Double) -> Var {
        let centered = self - mean(axes: axes, keepingDimensions: true)
        let variance = centered.squared().mean(axes: axes, keepingDimensions: true)
        return centered / (variance + epsilon).sqrt()
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
