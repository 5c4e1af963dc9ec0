import Autodiff
import Tensor

/// VGG (Simonyan & Zisserman 2015) in torchvision's layout: `features` (3×3 convs with ReLU and
/// 2×2 max-pools), optional adaptive average pool, `classifier` (linear layers with ReLU and
/// dropout), BatchNorm after each conv in the `_bn` variants. Initialisation as torchvision: He-normal
/// (fan-out) convs, N(0, 0.01) linears, zero biases, BatchNorm weight 1 and bias 0.
enum VGG {
    struct Layout {
        /// Output channels per conv; 0 marks a max-pool.
        let features: [Int]
        /// `AdaptiveAvgPool2d` output size before the classifier (nil: flatten directly).
        let pooledSize: Int?
        /// Hidden widths of the classifier.
        let hidden: [Int]
        let dropout: Double
        /// BatchNorm after every convolution (torchvision's `vgg11_bn`, `vgg16_bn`).
        var batchNorm = false

        /// The same layout with BatchNorm after every convolution.
        var withBatchNorm: Layout {
            var copy = self
            copy.batchNorm = true
            return copy
        }
    }

    static let mini = Layout(features: [16, 16, 0, 32, 32, 0, 64, 0], pooledSize: nil, hidden: [128], dropout: 0)
    /// torchvision's configuration "A".
    static let vgg11 = Layout(
        features: [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], pooledSize: 7, hidden: [4096, 4096], dropout: 0.5)
    /// torchvision's configuration "D".
    static let vgg16 = Layout(
        features: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
        pooledSize: 7, hidden: [4096, 4096], dropout: 0.5)

    static func make(_ b: ModelBuilder, _ c: ModelConfiguration, _ layout: Layout) throws(ModelError) -> any Layer {
        let pools = layout.features.filter { $0 == 0 }.count
        let (h, w) = (c.inputHeight >> pools, c.inputWidth >> pools)
        guard h > 0, w > 0 else {
            throw .unsupportedInput(model: c.name, reason: "input \(c.inputHeight)×\(c.inputWidth) is too small for \(pools) max-pools")
        }
        var channels = c.inputChannels
        var makers: [() -> any Layer] = []
        for width in layout.features {
            if width == 0 {
                makers.append { MaxPool2d(kernel: 2) }
            } else {
                let inputs = channels
                makers.append {
                    Conv2d(b, inputs: inputs, outputs: width, kernel: 3, padding: 1,
                        weightInit: .kaimingNormal(fan: width * 9), biasInit: .zeros)
                }
                if layout.batchNorm { makers.append { BatchNorm2d(b, channels: width) } }
                makers.append { Activation.relu }
                channels = width
            }
        }
        let features = b.scope("features") { b.sequential(makers) }
        var flattened = channels * h * w
        var layers: [any Layer] = [features]
        if let size = layout.pooledSize {
            layers.append(AdaptiveAvgPool2d(size, size))
            flattened = channels * size * size
        }
        layers.append(Activation.flatten)

        var head: [() -> any Layer] = []
        var inputs = flattened
        for width in layout.hidden {
            let fanIn = inputs
            head.append { Linear(b, inputs: fanIn, outputs: width, weightInit: .normal(standardDeviation: 0.01), biasInit: .zeros) }
            head.append { Activation.relu }
            if layout.dropout > 0 { head.append { Dropout(layout.dropout) } }
            inputs = width
        }
        let last = inputs
        head.append { Linear(b, inputs: last, outputs: c.classes, weightInit: .normal(standardDeviation: 0.01), biasInit: .zeros) }
        layers.append(b.scope("classifier") { b.sequential(head) })
        return Sequential(layers)
    }
}
