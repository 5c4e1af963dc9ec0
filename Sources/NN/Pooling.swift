import Autodiff
import Tensor

/// Max pooling (PyTorch `MaxPool2d`).
public struct MaxPool2d: Layer {
    public let options: PoolingOptions
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        options = PoolingOptions(kernel: kernel, stride: stride, padding: padding)
    }
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var { x.maxPool2d(options) }
}

/// Average pooling (PyTorch `AvgPool2d`, padding counted).
public struct AvgPool2d: Layer {
    public let options: PoolingOptions
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        options = PoolingOptions(kernel: kernel, stride: stride, padding: padding)
    }
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var { x.avgPool2d(options) }
}

/// Adaptive average pooling to a fixed output size (PyTorch `AdaptiveAvgPool2d`): bin i of n
/// over an extent L covers [⌊iL/n⌋, ⌈(i+1)L/n⌉).
public struct AdaptiveAvgPool2d: Layer {
    public let outputSize: (Int, Int)
    public init(_ height: Int, _ width: Int) { outputSize = (height, width) }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = outputSize
        if oh == h && ow == w { return x }
        if oh == 1 && ow == 1 { return x.mean(axes: [2, 3], keepingDimensions: true) }
        if h % oh == 0 && w % ow == 0 {
            return x.avgPool2d(PoolingOptions(kernel: (h / oh, w / ow), stride: (h / oh, w / ow), padding: (0, 0)))
        }
        // Uneven bins (e.g. VGG16's 7×7 head on an input that is not a multiple of 7).
        let rows = (0..<oh).map { i in
            let (r0, r1) = (i * h / oh, ((i + 1) * h + oh - 1) / oh)
            let columns = (0..<ow).map { j in
                let (c0, c1) = (j * w / ow, ((j + 1) * w + ow - 1) / ow)
                return x.sliced(lower: [0, 0, r0, c0], sizes: [x.shape[0], x.shape[1], r1 - r0, c1 - c0])
                    .mean(axes: [2, 3], keepingDimensions: true)
            }
            return Var.concatenate(columns, axis: 3)
        }
        return Var.concatenate(rows, axis: 2)
    }
}
