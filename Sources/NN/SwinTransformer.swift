import Autodiff
import Tensor

/// Swin Transformer v1 (Liu et al. 2021) in torchvision's `SwinTransformer` layout, so
/// `swin_t` weights load unchanged:
///
/// - `features.0`: `0` Conv2d(in, C, k=p, s=p), (`1` permute to NHWC), `2` LayerNorm(C);
/// - `features.{1,3,5,7}`: stages of `SwinTransformerBlock`s (`norm1`, `attn`, `norm2`,
///   `mlp.0`/`mlp.3`), shift 0 in even blocks and w/2 in odd ones;
/// - `features.{2,4,6}`: `PatchMerging` between stages;
/// - `norm`, global average pool, `head`.
///
/// Activations stay NHWC from the patch embedding to the pool, as in torchvision.
enum SwinTransformer {
    struct Layout {
        let patch: Int
        let dimension: Int
        let depths: [Int]
        let heads: [Int]
        let window: Int
        let mlpRatio: Double
        /// Largest stochastic depth rate (last block); block k of K gets rate·k/(K−1).
        let stochasticDepth: Double
    }

    /// swin-mini (docs/training.md §Models): two stages at 16×16 and 8×8 tokens for a 64×64 image.
    static let mini = Layout(patch: 4, dimension: 32, depths: [2, 2], heads: [2, 4], window: 4, mlpRatio: 4, stochasticDepth: 0)
    /// torchvision `swin_t` (28,288,354 parameters with 1000 classes).
    static let tiny = Layout(
        patch: 4, dimension: 96, depths: [2, 2, 6, 2], heads: [3, 6, 12, 24], window: 7, mlpRatio: 4, stochasticDepth: 0.2)

    /// Pre-norm block: x + SD(attn(norm1(x))), then + SD(mlp(norm2(·))), on [N, H, W, C].
    typealias Block = TransformerBlock<ShiftedWindowAttention>

    struct Network: Layer {
        let patchEmbedding: Conv2d
        let embeddingNorm: LayerNorm
        /// Stages and patch mergings in `features` order.
        let features: [any Layer]
        let norm: LayerNorm
        let head: Linear

        func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
            var h = embeddingNorm(patchEmbedding(x, c).permuted([0, 2, 3, 1]), c)  // N, H, W, C
            for layer in features { h = layer(h, c) }
            // torchvision permutes to NCHW and applies AdaptiveAvgPool2d(1): the mean over H, W.
            let pooled = norm(h, c).mean(axes: [1, 2])
            return head(pooled, c)
        }
    }

    static func make(_ b: ModelBuilder, _ c: ModelConfiguration, _ layout: Layout) throws(ModelError) -> any Layer {
        guard c.inputHeight >= layout.patch, c.inputWidth >= layout.patch else {
            throw .unsupportedInput(
                model: c.name, reason: "input \(c.inputHeight)×\(c.inputWidth) is smaller than the patch size \(layout.patch)")
        }
        guard c.inputChannels > 0, c.classes > 0 else {
            throw .unsupportedInput(model: c.name, reason: "needs at least one input channel and one class")
        }
        // SwinTransformer re-initialises every Linear (including the MLPs' Xavier init) to
        // trunc-normal(0.02) with zero bias; the patch Conv2d keeps PyTorch's default.
        let linearInit = Initializer.truncatedNormal(standardDeviation: 0.02)
        func linear(_ inputs: Int, _ outputs: Int) -> Linear {
            Linear(b, inputs: inputs, outputs: outputs, weightInit: linearInit, biasInit: .zeros)
        }
        let totalBlocks = layout.depths.reduce(0, +)
        var blockID = 0
        let (patchEmbedding, embeddingNorm, features) = b.scope("features") { () -> (Conv2d, LayerNorm, [any Layer]) in
            let (conv, norm) = b.scope("0") {
                let conv = b.scope("0") {
                    Conv2d(b, inputs: c.inputChannels, outputs: layout.dimension, kernel: layout.patch, stride: layout.patch)
                }
                return (conv, b.scope("2") { LayerNorm(b, features: layout.dimension) })  // "1" is the NHWC permute
            }
            var features: [any Layer] = []
            for (stage, depth) in layout.depths.enumerated() {
                let d = layout.dimension << stage
                let hidden = Int(Double(d) * layout.mlpRatio)
                let blocks = b.scope(String(features.count + 1)) {
                    b.indexed(depth) { i -> Block in
                        defer { blockID += 1 }
                        let rate = totalBlocks > 1 ? layout.stochasticDepth * Double(blockID) / Double(totalBlocks - 1) : 0
                        return Block(
                            norm1: b.scope("norm1") { LayerNorm(b, features: d) },
                            attention: b.scope("attn") {
                                ShiftedWindowAttention(
                                    b, dimension: d, window: layout.window, shift: i % 2 == 0 ? 0 : layout.window / 2,
                                    heads: layout.heads[stage])
                            },
                            norm2: b.scope("norm2") { LayerNorm(b, features: d) },
                            // torchvision MLP: Linear, GELU, Dropout, Linear, Dropout.
                            fc1: b.scope("mlp") { b.scope("0") { linear(d, hidden) } },
                            fc2: b.scope("mlp") { b.scope("3") { linear(hidden, d) } },
                            stochasticDepth: StochasticDepth(rate))
                    }
                }
                features.append(Sequential(blocks))
                if stage < layout.depths.count - 1 {
                    features.append(b.scope(String(features.count + 1)) { PatchMerging(b, dimension: d) })
                }
            }
            return (conv, norm, features)
        }
        let finalDimension = layout.dimension << (layout.depths.count - 1)
        let norm = b.scope("norm") { LayerNorm(b, features: finalDimension) }
        let head = b.scope("head") { linear(finalDimension, c.classes) }
        return Network(patchEmbedding: patchEmbedding, embeddingNorm: embeddingNorm, features: features, norm: norm, head: head)
    }
}
