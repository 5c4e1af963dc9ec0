import Autodiff
import Tensor

/// `y = x·Wᵀ + b` with PyTorch's `[out, in]` weight (`weight`, `bias` keys).
public struct Linear: Layer {
    public let weight: ParameterID
    public let bias: ParameterID?

    public init(
        _ b: ModelBuilder, inputs: Int, outputs: Int, bias: Bool = true,
        weightInit: Initializer? = nil, biasInit: Initializer? = nil
    ) {
        weight = b.parameter("weight", [outputs, inputs], weightInit ?? .pytorchDefault(fanIn: inputs))
        self.bias = bias ? b.parameter("bias", [outputs], biasInit ?? .pytorchDefault(fanIn: inputs)) : nil
    }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        x.linear(weight: c[weight], bias: bias.map { c[$0] })
    }
}

/// 2-D convolution, NCHW, PyTorch's `[out, in/groups, kh, kw]` weight.
public struct Conv2d: Layer {
    public let weight: ParameterID
    public let bias: ParameterID?
    public let options: ConvolutionOptions

    public init(
        _ b: ModelBuilder, inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
        groups: Int = 1, bias: Bool = true, weightInit: Initializer? = nil, biasInit: Initializer? = nil
    ) {
        let fanIn = inputs / groups * kernel * kernel
        weight = b.parameter("weight", [outputs, inputs / groups, kernel, kernel], weightInit ?? .pytorchDefault(fanIn: fanIn))
        self.bias = bias ? b.parameter("bias", [outputs], biasInit ?? .pytorchDefault(fanIn: fanIn)) : nil
        options = ConvolutionOptions(stride: stride, padding: padding, groups: groups)
    }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let y = x.conv2d(c[weight], options: options)
        guard let bias else { return y }
        return y + c[bias].reshaped([1, -1, 1, 1])
    }
}

/// Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1−p).
public struct Dropout: Layer {
    public let probability: Double
    public init(_ probability: Double) { self.probability = probability }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        c.droppingOut(x, probability: probability, maskShape: x.shape)
    }
}

/// Parameter-free layers.
public enum Activation {
    public static let relu = Function { $0.relu() }
    public static let gelu = Function { $0.gelu() }
    public static let tanh = Function { $0.tanh() }
    /// Flattens every axis after the first.
    public static let flatten = Function { $0.reshaped([$0.shape[0], -1]) }
}
