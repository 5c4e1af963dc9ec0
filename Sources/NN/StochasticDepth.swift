import Autodiff
import Tensor

/// Stochastic depth in torchvision's "row" mode (`torchvision.ops.StochasticDepth(p, "row")`):
/// in training, each sample's residual branch is dropped with probability p and the kept ones
/// are scaled by 1/(1 − p); identity in evaluation or when p = 0. No parameters.
///
/// The per-sample mask comes from the forward context's RNG, so a pass replayed with the same
/// seed (SAM's second pass) drops the same branches.
public struct StochasticDepth: Layer {
    public let probability: Double
    public init(_ probability: Double) { self.probability = probability }

    /// x: [N, ...]; one Bernoulli draw per sample, broadcast over the other axes.
    public func callAsFunction(_ x: Var, _ c: ForwardContext) -> Var {
        var shape = [Int](repeating: 1, count: x.rank)
        shape[0] = x.shape[0]
        return c.droppingOut(x, probability: probability, maskShape: shape)
    }
}

extension ForwardContext {
    /// Inverted dropout, for `Dropout` and `StochasticDepth`: in training, x·m/(1 − p) with m a
    /// Bernoulli(1 − p) keep mask of `maskShape` (broadcast over x) from this pass's RNG;
    /// identity in evaluation or when p = 0.
    func droppingOut(_ x: Var, probability: Double, maskShape: [Int]) -> Var {
        guard isTraining, probability > 0 else { return x }
        let keep = 1 - probability
        var mask = rng.bernoulliMask(shape: maskShape, dtype: x.dtype, keepProbability: keep)
        // torchvision divides only when something can survive (p = 1 zeroes the branch).
        if keep > 0 { mask = mask * (1 / keep) }
        return x.multiplied(byConstant: mask)
    }
}
