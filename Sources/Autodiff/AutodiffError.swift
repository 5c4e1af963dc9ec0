import Tensor

/// Failures of differentiation that depend on data rather than on code.
public enum AutodiffError: Error, Equatable, CustomStringConvertible {
    /// The function's value was NaN or infinite at the given point.
    case nonFiniteValue(Double)
    /// A gradient or Hessian-vector product contained NaN or infinity.
    case nonFiniteDerivative(what: String)

    public var description: String {
        switch self {
        case .nonFiniteValue(let v):
            return "the loss is \(v) (not finite); lower the learning rate or check the inputs for NaN/Inf"
        case .nonFiniteDerivative(let what):
            return "\(what) contains NaN or Inf; check the inputs and the loss for overflow"
        }
    }
}
