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
        guard c.isTraining, probability > 0 else { return x }
        let survival = 1 - probability
        var shape = [Int](repeating: 1, count: x.rank)
        shape[0] = x.shape[0]
        var mask = c.rng.bernoulliMask(shape: shape, dtype: x.dtype, keepProbability: survival)
        // torchvision divides only when something can survive (p = 1 zeroes the branch).
        if survival > 0 { mask = mask * (1 / survival) }
        return x.multiplied(byConstant: mask)
    }
}
