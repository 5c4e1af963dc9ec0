import Autodiff
import Tensor

/// Swin's downsampling between stages (torchvision `PatchMerging`, v1): each 2×2 neighbourhood
/// of an NHWC map is concatenated on channels, normalised (`norm`, LayerNorm(4C)) and projected
/// to 2C without bias (`reduction`). An odd height or width is first zero-padded at the bottom
/// or right, as torchvision's `_patch_merging_pad`.
public struct PatchMerging: Layer {
    /// LayerNorm over the 4C concatenated channels.
    public let norm: LayerNorm
    /// Linear 4C → 2C, no bias.
    public let reduction: Linear

    /// Registers `reduction.weight`, then `norm.weight`, `norm.bias` (torchvision's order:
    /// `reduction` is assigned before `norm`). Linear weights are trunc-normal(0.02), as
    /// `SwinTransformer` re-initialises every Linear.
    public init(_ b: ModelBuilder, dimension c: Int) {
        reduction = b.scope("reduction") {
            Linear(b, inputs: 4 * c, outputs: 2 * c, bias: false, weightInit: .truncatedNormal(standardDeviation: 0.02))
        }
        norm = b.scope("norm") { LayerNorm(b, features: 4 * c) }
    }

    /// x: [N, H, W, C] → [N, ⌈H/2⌉, ⌈W/2⌉, 2C].
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let (n, h, w, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ph, pw) = (h + h % 2, w + w % 2)
        let padded = ph == h && pw == w ? x : x.embedded(in: [n, ph, pw, channels], at: [0, 0, 0, 0])
        // Split rows and columns into (block, parity). torchvision concatenates x[0::2, 0::2],
        // x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]: the row parity varies fastest, so the
        // column-parity axis goes before the row-parity axis ahead of the channels.
        let merged = padded.reshaped([n, ph / 2, 2, pw / 2, 2, channels])
            .permuted([0, 1, 3, 4, 2, 5])
            .reshaped([n * (ph / 2), pw / 2, 4 * channels])  // 3-D so the Linear is one GEMM
        let y = reduction(norm(merged, c), c)
        return y.reshaped([n, ph / 2, pw / 2, 2 * channels])
    }
}
