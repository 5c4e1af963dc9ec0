import Autodiff
import Tensor

/// ResNet (He et al. 2016) in torchvision's layout (`conv1`, `bn1`, `layer1`…, `fc`; blocks with
/// `conv1/bn1/...` and a `downsample` projection), v1.5 (stride on the 3×3 conv of bottlenecks).
/// Initialisation as torchvision: He-normal (fan-out) convs, BatchNorm weight 1 and bias 0.
enum ResNet {
    struct Layout {
        let bottleneck: Bool
        let blocks: [Int]
        let widths: [Int]
        /// Stride of each stage's first block.
        let strides: [Int]
        /// 7×7 stride-2 stem + 3×3 max-pool (ImageNet) instead of a 3×3 stride-1 stem.
        let imagenetStem: Bool
        let stemWidth: Int
    }

    static let mini = Layout(bottleneck: false, blocks: [2, 2, 2], widths: [16, 32, 64], strides: [2, 2, 2], imagenetStem: false, stemWidth: 16)
    static let resnet18 = Layout(bottleneck: false, blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], strides: [1, 2, 2, 2], imagenetStem: true, stemWidth: 64)
    static let resnet34 = Layout(bottleneck: false, blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], strides: [1, 2, 2, 2], imagenetStem: true, stemWidth: 64)
    static let resnet50 = Layout(bottleneck: true, blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], strides: [1, 2, 2, 2], imagenetStem: true, stemWidth: 64)

    static func conv(_ b: ModelBuilder, _ name: String, _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1) -> Conv2d {
        b.scope(name) {
            Conv2d(b, inputs: inputs, outputs: outputs, kernel: kernel, stride: stride, padding: kernel / 2, bias: false,
                weightInit: .kaimingNormal(fan: outputs * kernel * kernel))
        }
    }

    static func batchNorm(_ b: ModelBuilder, _ name: String, _ channels: Int) -> BatchNorm2d {
        b.scope(name) { BatchNorm2d(b, channels: channels) }
    }

    struct Block: Layer {
        let convs: [Conv2d]
        let norms: [BatchNorm2d]
        let downsample: Sequential?

        func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
            var h = x
            for i in convs.indices {
                h = norms[i](convs[i](h, c), c)
                if i < convs.count - 1 { h = h.relu() }
            }
            return (h + (downsample?(x, c) ?? x)).relu()
        }
    }

    static func block(_ b: ModelBuilder, _ layout: Layout, inputs: Int, width: Int, stride: Int) -> (Block, Int) {
        let expansion = layout.bottleneck ? 4 : 1
        let outputs = width * expansion
        var convs: [Conv2d] = []
        var norms: [BatchNorm2d] = []
        if layout.bottleneck {
            convs.append(conv(b, "conv1", inputs, width, kernel: 1)); norms.append(batchNorm(b, "bn1", width))
            convs.append(conv(b, "conv2", width, width, kernel: 3, stride: stride)); norms.append(batchNorm(b, "bn2", width))
            convs.append(conv(b, "conv3", width, outputs, kernel: 1)); norms.append(batchNorm(b, "bn3", outputs))
        } else {
            convs.append(conv(b, "conv1", inputs, width, kernel: 3, stride: stride)); norms.append(batchNorm(b, "bn1", width))
            convs.append(conv(b, "conv2", width, width, kernel: 3)); norms.append(batchNorm(b, "bn2", width))
        }
        var downsample: Sequential?
        if stride != 1 || inputs != outputs {
            downsample = b.scope("downsample") {
                let projection = b.scope("0") {
                    Conv2d(b, inputs: inputs, outputs: outputs, kernel: 1, stride: stride, bias: false,
                        weightInit: .kaimingNormal(fan: outputs))
                }
                let norm = b.scope("1") { BatchNorm2d(b, channels: outputs) }
                return Sequential([projection, norm])
            }
        }
        return (Block(convs: convs, norms: norms, downsample: downsample), outputs)
    }

    static func make(_ b: ModelBuilder, _ c: ModelConfiguration, _ layout: Layout) throws(ModelError) -> any Layer {
        var layers: [any Layer] = []
        if layout.imagenetStem {
            layers.append(conv(b, "conv1", c.inputChannels, layout.stemWidth, kernel: 7, stride: 2))
        } else {
            layers.append(conv(b, "conv1", c.inputChannels, layout.stemWidth, kernel: 3))
        }
        layers.append(batchNorm(b, "bn1", layout.stemWidth))
        layers.append(Activation.relu)
        if layout.imagenetStem { layers.append(MaxPool2d(kernel: 3, stride: 2, padding: 1)) }
        var channels = layout.stemWidth
        for (stage, (count, width)) in zip(layout.blocks, layout.widths).enumerated() {
            let blocks: [any Layer] = b.scope("layer\(stage + 1)") {
                b.indexed(count) { i in
                    let (block, outputs) = ResNet.block(b, layout, inputs: channels, width: width, stride: i == 0 ? layout.strides[stage] : 1)
                    channels = outputs
                    return block
                }
            }
            layers.append(Sequential(blocks))
        }
        layers.append(AdaptiveAvgPool2d(1, 1))
        layers.append(Activation.flatten)
        layers.append(b.scope("fc") { Linear(b, inputs: channels, outputs: c.classes) })
        return Sequential(layers)
    }
}
