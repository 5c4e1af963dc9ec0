import Tensor

/// Weight initialisers with the distributions torchvision and timm use.
public enum Initializer {
    /// PyTorch's default for Linear/Conv weights and biases: U(−1/√fanIn, 1/√fanIn)
    /// (`kaiming_uniform_(a=√5)` reduces to this bound).
    case pytorchDefault(fanIn: Int)
    /// He normal, N(0, 2/fan) with fan = fanOut or fanIn (`kaiming_normal_(nonlinearity="relu")`).
    case kaimingNormal(fan: Int)
    /// N(0, σ²).
    case normal(standardDeviation: Double)
    /// N(0, σ²) truncated to [−2, 2] absolute, as timm's `trunc_normal_(std=σ)`.
    case truncatedNormal(standardDeviation: Double)
    /// Uniform in [−bound, bound] (e.g. Xavier uniform).
    case uniform(bound: Double)
    case zeros
    case ones

    /// A tensor of `shape` drawn from this distribution.
    public func make(_ shape: [Int], _ rng: inout RandomGenerator, dtype: DType = .float32) -> Tensor {
        switch self {
        case .pytorchDefault(let fanIn):
            let bound = 1 / Double(max(fanIn, 1)).squareRoot()
            return rng.uniform(shape: shape, dtype: dtype, low: -bound, high: bound)
        case .kaimingNormal(let fan):
            return rng.normal(shape: shape, dtype: dtype, standardDeviation: (2 / Double(max(fan, 1))).squareRoot())
        case .normal(let sd):
            return rng.normal(shape: shape, dtype: dtype, standardDeviation: sd)
        case .truncatedNormal(let sd):
            return rng.truncatedNormal(shape: shape, dtype: dtype, standardDeviation: sd, lower: -2, upper: 2)
        case .uniform(let bound):
            return rng.uniform(shape: shape, dtype: dtype, low: -bound, high: bound)
        case .zeros:
            return Tensor(zeros: shape, dtype: dtype)
        case .ones:
            return Tensor(repeating: 1, shape: shape, dtype: dtype)
        }
    }
}

extension ModelBuilder {
    /// Registers a parameter drawn from `initializer` (zeros when the builder does not initialise).
    public func parameter(_ name: String, _ shape: [Int], _ initializer: Initializer) -> ParameterID {
        parameter(name, randomInitialization ? initializer.make(shape, &rng, dtype: dtype) : Tensor(zeros: shape, dtype: dtype))
    }
}
