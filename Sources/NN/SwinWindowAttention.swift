import Autodiff
import Tensor

/// Window multi-head self-attention with relative position bias, optionally on cyclically
/// shifted windows (torchvision `ShiftedWindowAttention`, Swin v1).
///
/// Keys, in torchvision's `state_dict()` order: `relative_position_bias_table`
/// [(2w−1)², heads], the `relative_position_index` buffer [w⁴] (flattened, as torchvision
/// registers it), `qkv.weight` [3C, C], `qkv.bias`, `proj.weight` [C, C], `proj.bias`.
///
/// Forward on NHWC input: zero-pad H and W up to multiples of the window, roll by −shift, split
/// into w×w windows (every window of every image becomes one batch row), attend inside each
/// window with the relative position bias and, when shifted, the −100 mask between tokens that
/// came from different regions of the unrolled map; then undo the windows, the roll and the pad.
/// Attention and projection dropout are not implemented: torchvision's Swin models use 0.
public struct ShiftedWindowAttention: Layer {
    public let relativePositionBiasTable: ParameterID
    public let relativePositionIndex: BufferID
    public let qkv: Linear
    public let projection: Linear
    /// Window side w (square windows, as every torchvision Swin).
    public let window: Int
    /// Nominal shift (0 or w/2); dropped per axis when the window covers the padded map.
    public let shift: Int
    public let heads: Int

    /// Registers the table (trunc-normal(0.02)), the index buffer, then `qkv` and `proj`
    /// (trunc-normal(0.02) weights, zero biases: `SwinTransformer`'s Linear initialisation).
    public init(_ b: ModelBuilder, dimension c: Int, window: Int, shift: Int, heads: Int) {
        precondition(c % heads == 0, "ShiftedWindowAttention: dimension \(c) is not a multiple of \(heads) heads")
        relativePositionBiasTable = b.parameter(
            "relative_position_bias_table", [(2 * window - 1) * (2 * window - 1), heads], .truncatedNormal(standardDeviation: 0.02))
        let index = Self.relativePositionIndex(window: window).map(Double.init)
        relativePositionIndex = b.buffer("relative_position_index", Tensor(shape: [index.count], scalars: index, dtype: .float64))
        let weightInit = Initializer.truncatedNormal(standardDeviation: 0.02)
        qkv = b.scope("qkv") { Linear(b, inputs: c, outputs: 3 * c, weightInit: weightInit, biasInit: .zeros) }
        projection = b.scope("proj") { Linear(b, inputs: c, outputs: c, weightInit: weightInit, biasInit: .zeros) }
        self.window = window
        self.shift = shift
        self.heads = heads
    }

    /// For tokens i = (yᵢ, xᵢ), j = (yⱼ, xⱼ) of a w×w window (row-major), entry i·w² + j is the
    /// table row of their offset: (yᵢ − yⱼ + w − 1)·(2w − 1) + (xᵢ − xⱼ + w − 1).
    public static func relativePositionIndex(window w: Int) -> [Int] {
        let t = w * w
        var index = [Int](repeating: 0, count: t * t)
        for i in 0..<t {
            for j in 0..<t {
                index[i * t + j] = (i / w - j / w + w - 1) * (2 * w - 1) + (i % w - j % w + w - 1)
            }
        }
        return index
    }

    /// x: [N, H, W, C] → [N, H, W, C].
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let (n, h, w, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let s = window
        let (ph, pw) = ((h + s - 1) / s * s, (w + s - 1) / s * s)
        var y = ph == h && pw == w ? x : x.embedded(in: [n, ph, pw, channels], at: [0, 0, 0, 0])
        // A window that covers the whole (padded) axis sees every token already: no shift there.
        let shifts = (s >= ph ? 0 : shift, s >= pw ? 0 : shift)
        let shifted = shifts.0 + shifts.1 > 0
        if shifted { y = y.rolled(shifts: [-shifts.0, -shifts.1], axes: [1, 2]) }

        let (rows, columns) = (ph / s, pw / s)
        let windows = rows * columns
        let tokens = s * s
        let batch = n * windows
        let partitioned = y.reshaped([n, rows, s, columns, s, channels]).permuted([0, 1, 3, 2, 4, 5])
            .reshaped([batch, tokens, channels])

        // Score bias per (image, window, head): relative position bias (+ the shift mask),
        // broadcast to the [batch·heads, T, T] layout the shared attention expects.
        var bias = positionBias(c).reshaped([1, 1, heads, tokens, tokens])
        if shifted {
            let mask = Self.shiftMask(height: ph, width: pw, window: s, shifts: shifts, dtype: x.dtype)
            bias = bias + Var(mask.reshaped([1, windows, 1, tokens, tokens]))
        }
        let scoreBias = bias.broadcast(to: [n, windows, heads, tokens, tokens]).reshaped([batch * heads, tokens, tokens])

        let mixed = Attention.scaledDotProduct(
            qkv: qkv(partitioned, c), batch: batch, tokens: tokens, heads: heads, headDimension: channels / heads,
            bias: scoreBias)
        y = projection(mixed, c)
            .reshaped([n, rows, columns, s, s, channels]).permuted([0, 1, 3, 2, 4, 5]).reshaped([n, ph, pw, channels])
        if shifted { y = y.rolled(shifts: [shifts.0, shifts.1], axes: [1, 2]) }
        return ph == h && pw == w ? y : y.sliced(lower: [0, 0, 0, 0], sizes: [n, h, w, channels])
    }

    /// The table rows picked by the index buffer: [heads, T, T] (torchvision's
    /// `table[index].view(T, T, heads).permute(2, 0, 1)`, gathered in that order directly).
    func positionBias(_ c: ForwardContext) -> Var {
        let index = c[relativePositionIndex].doubles.map { Int($0) }
        let tokens = window * window
        var flat = [Int]()
        flat.reserveCapacity(heads * index.count)
        for head in 0..<heads {
            for row in index { flat.append(row * heads + head) }
        }
        return c[relativePositionBiasTable].gathered(flatIndices: flat, shape: [heads, tokens, tokens])
    }

    /// The additive mask of shifted windows, [windows, T, T]: 0 between tokens of the same
    /// region of the unrolled map, −100 otherwise. Regions along an axis with shift k > 0 are
    /// [0, L − w), [L − w, L − k), [L − k, L); an axis with shift 0 is one region (torchvision's
    /// slices `[-w:-0]` is empty and `[-0:]` the whole axis).
    public static func shiftMask(height: Int, width: Int, window s: Int, shifts: (Int, Int), dtype: DType) -> Tensor {
        func region(_ p: Int, _ length: Int, _ k: Int) -> Int {
            guard k > 0 else { return 0 }
            return p < length - s ? 0 : p < length - k ? 1 : 2
        }
        let (rows, columns) = (height / s, width / s)
        let tokens = s * s
        var values = [Double](repeating: 0, count: rows * columns * tokens * tokens)
        var ids = [Int](repeating: 0, count: tokens)
        for r in 0..<rows {
            for q in 0..<columns {
                for t in 0..<tokens {
                    ids[t] = 3 * region(r * s + t / s, height, shifts.0) + region(q * s + t % s, width, shifts.1)
                }
                let base = (r * columns + q) * tokens * tokens
                for i in 0..<tokens {
                    for j in 0..<tokens where ids[i] != ids[j] { values[base + i * tokens + j] = -100 }
                }
            }
        }
        return Tensor(shape: [rows * columns, tokens, tokens], scalars: values, dtype: dtype)
    }
}
