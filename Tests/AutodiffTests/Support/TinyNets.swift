import Autodiff
import Tensor

/// The three tiny networks of tools/gen_goldens.py, written with Sharp's differentiable ops.
/// Parameters are passed in a fixed name order so they can be a flat argument list.
enum TinyNets {
    static let mlpNames = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]
    static let cnnNames = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"]
    static let attentionNames = [
        "norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
        "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
        "head.weight", "head.bias",
    ]

    /// Logits of the mlp: fc1 → tanh → fc2 → gelu → fc3.
    static func mlp(_ x: Var, _ p: [Var]) -> Var {
        let h1 = x.linear(weight: p[0], bias: p[1]).tanh()
        let h2 = h1.linear(weight: p[2], bias: p[3]).gelu()
        return h2.linear(weight: p[4], bias: p[5])
    }

    /// Logits of the cnn: conv(s1,p1) → relu → maxpool2 → conv(s2,p1,g2) → tanh → avgpool2 → fc.
    static func cnn(_ x: Var, _ p: [Var]) -> Var {
        let c1 = x.conv2d(p[0], options: .init(stride: 1, padding: 1)) + p[1].reshaped([1, -1, 1, 1])
        let h1 = c1.relu().maxPool2d(.init(kernel: 2))
        let c2 = h1.conv2d(p[2], options: .init(stride: 2, padding: 1, groups: 2)) + p[3].reshaped([1, -1, 1, 1])
        let h2 = c2.tanh().avgPool2d(.init(kernel: 2))
        return h2.reshaped([h2.shape[0], -1]).linear(weight: p[4], bias: p[5])
    }

    /// Logits of the attention block: pre-LN multi-head attention and MLP, mean over tokens, head.
    static func attention(_ x: Var, _ p: [Var], heads: Int = 2) -> Var {
        let (batch, tokens, dim) = (x.shape[0], x.shape[1], x.shape[2])
        let headDim = dim / heads
        let qkv = x.layerNormalized(weight: p[0], bias: p[1]).linear(weight: p[2], bias: p[3])
        let split = qkv.reshaped([batch, tokens, 3, heads, headDim]).permuted([2, 0, 3, 1, 4])  // 3, B, H, T, d
        func part(_ i: Int) -> Var {
            split.sliced(axis: 0, start: i, count: 1).reshaped([batch * heads, tokens, headDim])
        }
        let (q, k, v) = (part(0), part(1), part(2))
        let weights = (q.matmul(k, transposeOther: true) * (1 / Double(headDim).squareRoot())).softmax()
        let mixed = weights.matmul(v).reshaped([batch, heads, tokens, headDim]).permuted([0, 2, 1, 3])
            .reshaped([batch, tokens, dim])
        let h = x + mixed.linear(weight: p[4], bias: p[5])
        let m = h.layerNormalized(weight: p[6], bias: p[7]).linear(weight: p[8], bias: p[9]).gelu()
            .linear(weight: p[10], bias: p[11])
        let y = h + m
        return y.mean(axes: [1]).linear(weight: p[12], bias: p[13])
    }

    /// The loss of a golden net as a function of its parameters (in `names` order).
    static func loss(_ net: GoldenNet, names: [String], logits: @escaping (Var, [Var]) -> Var) -> ([Var]) -> Var {
        let x = Var(net.input.tensor)
        return { p in logits(x, p).crossEntropy(labels: net.labels) }
    }
}
