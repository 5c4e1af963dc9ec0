import Autodiff
import Tensor

/// A pre-norm transformer block as torchvision's ViT encoder layers and Swin blocks are:
/// h = x + SD(attention(norm1(x))), then h + SD(fc2(gelu(fc1(norm2(h))))), with SD the block's
/// stochastic depth (none in ViT). Input [N, T, C] (ViT) or [N, H, W, C] (Swin).
struct TransformerBlock<Attention: Layer>: Layer {
    let norm1: LayerNorm
    let attention: Attention
    let norm2: LayerNorm
    let fc1: Linear
    let fc2: Linear
    var stochasticDepth = StochasticDepth(0)

    func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let shape = x.shape
        let h = x + stochasticDepth(attention(norm1(x, c), c), c)
        guard shape.count == 4 else { return h + stochasticDepth(fc2(fc1(norm2(h, c), c).gelu(), c), c) }
        // Linear takes at most 3-D input: fold the rows into the batch axis for the MLP.
        let tokens = norm2(h, c).reshaped([shape[0] * shape[1], shape[2], shape[3]])
        let mlp = fc2(fc1(tokens, c).gelu(), c).reshaped(shape)
        return h + stochasticDepth(mlp, c)
    }
}
