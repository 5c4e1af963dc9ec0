import Autodiff
import Tensor

/// Multi-head self-attention with PyTorch `nn.MultiheadAttention`'s packed parameters
/// (`in_proj_weight` [3D, D], `in_proj_bias` [3D], `out_proj.weight`, `out_proj.bias`).
public struct MultiHeadSelfAttention: Layer {
    public let inputWeight: ParameterID
    public let inputBias: ParameterID
    public let output: Linear
    public let heads: Int

    public init(_ b: ModelBuilder, dimension d: Int, heads: Int) {
        // PyTorch: xavier_uniform_ on in_proj_weight, zero biases.
        inputWeight = b.parameter("in_proj_weight", [3 * d, d], .uniform(bound: (6 / Double(d + 3 * d)).squareRoot()))
        inputBias = b.parameter("in_proj_bias", [3 * d], .zeros)
        output = b.scope("out_proj") { Linear(b, inputs: d, outputs: d, biasInit: .zeros) }
        self.heads = heads
    }

    /// x: [N, T, D] → [N, T, D].
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
        let qkv = x.linear(weight: c[inputWeight], bias: c[inputBias])
        let mixed = Attention.scaledDotProduct(qkv: qkv, batch: n, tokens: t, heads: heads, headDimension: d / heads)
        return output(mixed, c)
    }
}

/// Shared attention arithmetic.
public enum Attention {
    /// Splits packed q|k|v [N, T, 3D] (the q, k, v blocks each ordered head-major) into heads,
    /// applies softmax(q·kᵀ/√d + bias)·v per head and merges back to [N, T, D].
    /// `bias` (optional) is added to the scores [N·heads, T, T] (relative positions, masks).
    public static func scaledDotProduct(qkv: Var, batch n: Int, tokens t: Int, heads: Int, headDimension hd: Int, bias: Var? = nil) -> Var {
        let split = qkv.reshaped([n, t, 3, heads, hd]).permuted([2, 0, 3, 1, 4])  // 3, N, H, T, hd
        func part(_ i: Int) -> Var { split.sliced(axis: 0, start: i, count: 1).reshaped([n * heads, t, hd]) }
        var scores = part(0).matmul(part(1), transposeOther: true) * (1 / Double(hd).squareRoot())
        if let bias { scores = scores + bias }
        let mixed = scores.softmax().matmul(part(2))  // N·H, T, hd
        return mixed.reshaped([n, heads, t, hd]).permuted([0, 2, 1, 3]).reshaped([n, t, heads * hd])
    }
}
