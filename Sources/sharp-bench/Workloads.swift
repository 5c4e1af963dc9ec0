import Autodiff
import Tensor

/// The networks the benchmark times, written directly with differentiable ops (the model zoo
/// will replace these with `NN` models). Shapes follow DESIGN.md §4.
enum Workloads {
    struct Network {
        let name: String
        let parameters: [Tensor]
        let input: Tensor
        let labels: [Int]
        let logits: (Var, [Var]) -> Var

        func loss(_ p: [Var]) -> Var { logits(Var(input), p).crossEntropy(labels: labels) }
    }

    static func kaiming(_ shape: [Int], fanIn: Int, _ rng: inout RandomGenerator) -> Tensor {
        rng.normal(shape: shape, standardDeviation: (2 / Double(fanIn)).squareRoot())
    }

    /// mlp: 4096 → 256 → 256 → 2, ReLU, on flattened 64×64 images.
    static func mlp(batch: Int) -> Network {
        var rng = RandomGenerator(seed: 1)
        let p = [
            kaiming([256, 4096], fanIn: 4096, &rng), Tensor(zeros: [256]),
            kaiming([256, 256], fanIn: 256, &rng), Tensor(zeros: [256]),
            kaiming([2, 256], fanIn: 256, &rng), Tensor(zeros: [2]),
        ]
        return Network(
            name: "mlp", parameters: p, input: rng.normal(shape: [batch, 4096]), labels: (0..<batch).map { $0 % 2 }
        ) { x, p in
            x.linear(weight: p[0], bias: p[1]).relu().linear(weight: p[2], bias: p[3]).relu().linear(weight: p[4], bias: p[5])
        }
    }

    /// vgg-mini: conv(1→16) conv(16→16) pool, conv(16→32) conv(32→32) pool, conv(32→64) pool, fc 4096→128→2.
    static func vggMini(batch: Int) -> Network {
        var rng = RandomGenerator(seed: 2)
        let channels = [(1, 16), (16, 16), (16, 32), (32, 32), (32, 64)]
        var p: [Tensor] = []
        for (i, o) in channels {
            p.append(kaiming([o, i, 3, 3], fanIn: i * 9, &rng))
            p.append(Tensor(zeros: [o]))
        }
        p += [kaiming([128, 4096], fanIn: 4096, &rng), Tensor(zeros: [128]), kaiming([2, 128], fanIn: 128, &rng), Tensor(zeros: [2])]
        return Network(
            name: "vgg-mini", parameters: p, input: rng.normal(shape: [batch, 1, 64, 64]), labels: (0..<batch).map { $0 % 2 }
        ) { x, p in
            func conv(_ h: Var, _ i: Int) -> Var {
                (h.conv2d(p[2 * i], options: .init(stride: 1, padding: 1)) + p[2 * i + 1].reshaped([1, -1, 1, 1])).relu()
            }
            let pool = PoolingOptions(kernel: 2)
            var h = conv(conv(x, 0), 1).maxPool2d(pool)
            h = conv(conv(h, 2), 3).maxPool2d(pool)
            h = conv(h, 4).maxPool2d(pool)
            h = h.reshaped([h.shape[0], -1])
            return h.linear(weight: p[10], bias: p[11]).relu().linear(weight: p[12], bias: p[13])
        }
    }
}
