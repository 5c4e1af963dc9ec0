import Tensor

/// The value of a scalar function and its gradient with respect to every argument.
///
/// - Throws: `AutodiffError.nonFiniteValue` when the value is NaN or infinite.
public func valueAndGradient(at point: [Tensor], of f: ([Var]) -> Var) throws(AutodiffError) -> (value: Double, gradient: [Tensor]) {
    let tape = Tape()
    let arguments = tape.variables(point)
    let y = f(arguments)
    let value = try scalarValue(y)
    let gradient = ReverseSweep.pullback(
        outputs: [y], seeds: [Var(Tensor(repeating: 1, shape: y.shape, dtype: y.dtype))], wrt: arguments, createGraph: false)
    return (value, gradient.map(\.value))
}

/// The Hessian of a scalar function times `vector`, exactly (reverse-over-reverse), with the
/// value and gradient computed on the way.
///
/// For many products at one point, build a `Linearization` once instead: it keeps the recorded
/// first-order graph and replays only the second sweep per vector.
public func hessianVectorProduct(at point: [Tensor], vector: [Tensor], of f: ([Var]) -> Var) throws(AutodiffError)
    -> (value: Double, gradient: [Tensor], product: [Tensor])
{
    let linearization = try Linearization(at: point, of: f, anticipating: vector)
    return (linearization.value, linearization.gradient, linearization.hessianVectorProduct(vector))
}

/// A scalar function's recorded first-order graph at one point: value, gradient, and exact
/// Hessian-vector products that replay only the second reverse sweep (no forward pass).
///
/// Memory: holds every intermediate of the forward and backward passes until released.
public final class Linearization {
    /// f(point).
    public let value: Double
    /// ∇f(point).
    public let gradient: [Tensor]
    private let tape: Tape
    private let arguments: [Var]
    private let trackedGradient: [Var]
    /// Number of Hessian-vector products computed so far.
    public private(set) var productCount = 0

    /// Records f and its gradient at `point`.
    ///
    /// - Throws: `AutodiffError.nonFiniteValue` when f(point) is NaN or infinite.
    public convenience init(at point: [Tensor], of f: ([Var]) -> Var) throws(AutodiffError) {
        try self.init(at: point, of: f, anticipating: nil)
    }

    /// With `direction` (one tensor per argument), the first sweep also computes products the
    /// first `hessianVectorProduct(direction)` would otherwise compute from scratch, where that
    /// shares work (`Var.weightGradient`); they are held until that product is taken.
    init(at point: [Tensor], of f: ([Var]) -> Var, anticipating direction: [Tensor]?) throws(AutodiffError) {
        tape = Tape()
        arguments = tape.variables(point)
        let y = f(arguments)
        value = try scalarValue(y)
        if let direction, direction.count == arguments.count {
            tape.anticipatedDirections = Dictionary(uniqueKeysWithValues: zip(arguments.map(\.index), direction))
        }
        trackedGradient = ReverseSweep.pullback(
            outputs: [y], seeds: [Var(Tensor(repeating: 1, shape: y.shape, dtype: y.dtype))], wrt: arguments,
            createGraph: true)
        tape.anticipatedDirections = [:]
        gradient = trackedGradient.map(\.value)
    }

    /// Bytes of the values the tape holds (each storage once): a lower bound on what this
    /// linearisation keeps alive, and what grows with the batch (pullbacks hold little else).
    public var retainedBytes: Int {
        var seen = Set<ObjectIdentifier>()
        var bytes = 0
        for value in tape.values + tape.nodes.flatMap({ $0.inputConstants.compactMap { $0 } })
        where seen.insert(ObjectIdentifier(value.storage)).inserted {
            bytes += value.storage.count * value.dtype.byteSize
        }
        return bytes
    }

    /// H·v for one direction `vector` (one tensor per argument, same shapes).
    public func hessianVectorProduct(_ vector: [Tensor]) -> [Tensor] {
        tensorCheck(vector.count == arguments.count, "hessianVectorProduct", "\(vector.count) direction tensors for \(arguments.count) arguments")
        for (v, a) in zip(vector, arguments) {
            tensorCheck(v.shape == a.shape && v.dtype == a.dtype, "hessianVectorProduct",
                "direction \(v.shape) \(v.dtype) does not match argument \(a.shape) \(a.dtype)")
        }
        productCount += 1
        // d/dw ⟨∇f(w), v⟩ = H v: seed the recorded gradient nodes with v and sweep back to w.
        return ReverseSweep.pullback(outputs: trackedGradient, seeds: vector.map(Var.init), wrt: arguments, createGraph: false)
            .map(\.value)
    }
}

private func scalarValue(_ y: Var) throws(AutodiffError) -> Double {
    tensorCheck(y.count == 1, "differentiate", "the function must return one scalar, got shape \(y.shape)")
    let value = y.value.scalarValue
    guard value.isFinite else { throw .nonFiniteValue(value) }
    return value
}
