import Autodiff
import Tensor

/// Vision Transformer (Dosovitskiy et al. 2021) in torchvision's `VisionTransformer` layout:
/// `conv_proj` patch embedding, `class_token`, `encoder.pos_embedding`, pre-LN encoder layers
/// (`ln_1`, `self_attention` with packed `in_proj_weight`, `ln_2`, `mlp.0`/`mlp.3`, exact GELU),
/// `encoder.ln`, `heads.head` on the class token.
enum VisionTransformer {
    struct Layout {
        let patch: Int
        let dimension: Int
        let depth: Int
        let heads: Int
        let mlpDimension: Int
    }

    static let tiny = Layout(patch: 8, dimension: 64, depth: 4, heads: 4, mlpDimension: 128)
    static let b16 = Layout(patch: 16, dimension: 768, depth: 12, heads: 12, mlpDimension: 3072)

    /// Pre-norm encoder layer: x + attn(ln_1(x)), then + mlp(ln_2(·)), on [N, T, D].
    typealias EncoderLayer = TransformerBlock<MultiHeadSelfAttention>

    struct Network: Layer {
        let patchEmbedding: Conv2d
        let classToken: ParameterID
        let positions: ParameterID
        let layers: [EncoderLayer]
        let norm: LayerNorm
        let head: Linear

        func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
            let patches = patchEmbedding(x, c)  // N, D, h, w
            let (n, d) = (patches.shape[0], patches.shape[1])
            let tokens = patches.reshaped([n, d, -1]).permuted([0, 2, 1])  // N, T, D
            let cls = c[classToken].broadcast(to: [n, 1, d])
            var h = Var.concatenate([cls, tokens], axis: 1) + c[positions]
            for layer in layers { h = layer(h, c) }
            h = norm(h, c)
            return head(h.sliced(axis: 1, start: 0, count: 1).reshaped([n, d]), c)
        }
    }

    /// Xavier/Glorot uniform, as torchvision initialises the ViT MLP.
    static func xavier(_ fanIn: Int, _ fanOut: Int) -> Initializer { .uniform(bound: (6 / Double(fanIn + fanOut)).squareRoot()) }

    static func make(_ b: ModelBuilder, _ c: ModelConfiguration, _ layout: Layout) throws(ModelError) -> any Layer {
        guard c.inputHeight % layout.patch == 0, c.inputWidth % layout.patch == 0 else {
            throw .unsupportedInput(model: c.name, reason: "input \(c.inputHeight)×\(c.inputWidth) is not a multiple of the patch size \(layout.patch)")
        }
        let d = layout.dimension
        let tokens = (c.inputHeight / layout.patch) * (c.inputWidth / layout.patch) + 1
        // Parameter order follows torchvision's state_dict: class_token, conv_proj, encoder, heads.
        let classToken = b.parameter("class_token", [1, 1, d], .zeros)
        let fanIn = c.inputChannels * layout.patch * layout.patch
        let patchEmbedding = b.scope("conv_proj") {
            Conv2d(b, inputs: c.inputChannels, outputs: d, kernel: layout.patch, stride: layout.patch,
                weightInit: .truncatedNormal(standardDeviation: (1 / Double(fanIn)).squareRoot()), biasInit: .zeros)
        }
        let (positions, layers, norm) = b.scope("encoder") { () -> (ParameterID, [EncoderLayer], LayerNorm) in
            let positions = b.parameter("pos_embedding", [1, tokens, d], .normal(standardDeviation: 0.02))
            let layers = b.scope("layers") {
                (0..<layout.depth).map { i in
                    b.scope("encoder_layer_\(i)") {
                        EncoderLayer(
                            norm1: b.scope("ln_1") { LayerNorm(b, features: d, epsilon: 1e-6) },
                            attention: b.scope("self_attention") { MultiHeadSelfAttention(b, dimension: d, heads: layout.heads) },
                            norm2: b.scope("ln_2") { LayerNorm(b, features: d, epsilon: 1e-6) },
                            fc1: b.scope("mlp") { b.scope("0") { Linear(b, inputs: d, outputs: layout.mlpDimension, weightInit: xavier(d, layout.mlpDimension), biasInit: .normal(standardDeviation: 1e-6)) } },
                            fc2: b.scope("mlp") { b.scope("3") { Linear(b, inputs: layout.mlpDimension, outputs: d, weightInit: xavier(layout.mlpDimension, d), biasInit: .normal(standardDeviation: 1e-6)) } })
                    }
                }
            }
            let norm = b.scope("ln") { LayerNorm(b, features: d, epsilon: 1e-6) }
            return (positions, layers, norm)
        }
        let head = b.scope("heads") { b.scope("head") { Linear(b, inputs: d, outputs: c.classes, weightInit: .zeros, biasInit: .zeros) } }
        return Network(patchEmbedding: patchEmbedding, classToken: classToken, positions: positions, layers: layers, norm: norm, head: head)
    }
}
