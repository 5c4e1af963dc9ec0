import Autodiff
import Tensor

/// BatchNorm over N, H, W of NCHW input (`weight`, `bias`, `running_mean`, `running_var`,
/// `num_batches_tracked` keys, as torchvision).
///
/// Training: normalises with the batch's biased variance and records new running statistics
/// (momentum 0.1, unbiased variance, like PyTorch) in the context. Evaluation: uses the running
/// statistics.
public struct BatchNorm2d: Layer {
    public let weight: ParameterID
    public let bias: ParameterID
    public let runningMean: BufferID
    public let runningVariance: BufferID
    public let batchesTracked: BufferID
    public let epsilon: Double
    public let momentum: Double

    public init(_ b: ModelBuilder, channels: Int, epsilon: Double = 1e-5, momentum: Double = 0.1) {
        weight = b.parameter("weight", [channels], .ones)
        bias = b.parameter("bias", [channels], .zeros)
        runningMean = b.buffer("running_mean", Tensor(zeros: [channels], dtype: b.dtype))
        runningVariance = b.buffer("running_var", Tensor(repeating: 1, shape: [channels], dtype: b.dtype))
        batchesTracked = b.buffer("num_batches_tracked", Tensor(zeros: [], dtype: .float64))
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        let channels = x.shape[1]
        let scale = c[weight].reshaped([1, channels, 1, 1])
        let shift = c[bias].reshaped([1, channels, 1, 1])
        guard c.isTraining else {
            // One per-channel affine map x·a + b, a = γ/√(var + ε), b = β − mean·a: two passes
            // over x (and cheap pullbacks) instead of four, formed on [C]-sized tensors.
            let deviation = Var((c[runningVariance] + epsilon).sqrt().reshaped([1, channels, 1, 1]))
            let mean = Var(c[runningMean].reshaped([1, channels, 1, 1]))
            let a = scale / deviation
            return x * a + (shift - mean * a)
        }
        let (normalized, mean, variance) = x.normalizedWithStatistics(axes: [0, 2, 3], epsilon: epsilon)
        recordRunningStatistics(mean: mean.reshaped([channels]), biasedVariance: variance.reshaped([channels]), count: x.count / channels, c)
        return normalized * scale + shift
    }

    /// PyTorch's update, from the batch statistics the normalisation computed: the running
    /// variance takes the unbiased variance (× n/(n − 1)).
    private func recordRunningStatistics(mean: Tensor, biasedVariance: Tensor, count n: Int, _ c: ForwardContext) {
        let unbiased = biasedVariance * (Double(n) / Double(max(n - 1, 1)))
        c.update(runningMean, c[runningMean] * (1 - momentum) + mean * momentum)
        c.update(runningVariance, c[runningVariance] * (1 - momentum) + unbiased * momentum)
        c.update(batchesTracked, c[batchesTracked] + 1)
    }
}

/// LayerNorm over the last axis (`weight`, `bias` keys).
public struct LayerNorm: Layer {
    public let weight: ParameterID
    public let bias: ParameterID
    public let epsilon: Double

    public init(_ b: ModelBuilder, features: Int, epsilon: Double = 1e-5) {
        weight = b.parameter("weight", [features], .ones)
        bias = b.parameter("bias", [features], .zeros)
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        x.layerNormalized(weight: c[weight], bias: c[bias], epsilon: epsilon)
    }
}
