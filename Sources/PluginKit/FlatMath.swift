/// Whole-model operations on flat parameter-sized buffers: one loop each, no allocation.
///
/// "Global" means over the whole buffer, i.e. the concatenation of every trainable tensor, which
/// is how every SAM reference computes its norms (docs/algorithms.md#the-sam-family).
public enum FlatMath {
    /// ‖x‖₂ over the whole buffer, accumulated in Double.
    public static func norm<S: PluginScalar>(_ x: UnsafeBufferPointer<S>) -> Double {
        S.sumOfSquares(x).squareRoot()
    }

    /// Σ xᵢ², accumulated in Double (for norms over parts of a buffer).
    public static func sumOfSquares<S: PluginScalar>(_ x: UnsafeBufferPointer<S>) -> Double {
        S.sumOfSquares(x)
    }

    /// Σ ((|wᵢ| + η)·gᵢ)²: the squared norm of T_w·g used by ASAM, T_w = diag(|w| + η).
    public static func scaledSumOfSquares<S: PluginScalar>(_ g: UnsafeBufferPointer<S>, weights: UnsafeBufferPointer<S>, eta: Double) -> Double {
        S.scaledSumOfSquares(g, weights: weights, eta: eta)
    }

    /// ⟨x, y⟩, accumulated in Double.
    public static func dot<S: PluginScalar>(_ x: UnsafeBufferPointer<S>, _ y: UnsafeBufferPointer<S>) -> Double {
        S.dot(x, y)
    }

    /// y ← y + a·x.
    public static func add<S: PluginScalar>(_ a: Double, times x: UnsafeBufferPointer<S>, to y: UnsafeMutableBufferPointer<S>) {
        S.axpy(a, x, y)
    }

    /// out ← a·x + b·y (out may alias x or y).
    public static func combine<S: PluginScalar>(
        into out: UnsafeMutableBufferPointer<S>, _ a: Double, _ x: UnsafeBufferPointer<S>, _ b: Double, _ y: UnsafeBufferPointer<S>
    ) {
        S.combine(out, a, x, b, y)
    }

    /// out ← a·x + b·y + c·z (out may alias any input).
    public static func combine<S: PluginScalar>(
        into out: UnsafeMutableBufferPointer<S>, _ a: Double, _ x: UnsafeBufferPointer<S>, _ b: Double,
        _ y: UnsafeBufferPointer<S>, _ c: Double, _ z: UnsafeBufferPointer<S>
    ) {
        S.combine(out, a, x, b, y, c, z)
    }

    /// x ← a·x.
    public static func scale<S: PluginScalar>(_ x: UnsafeMutableBufferPointer<S>, by a: Double) {
        S.scale(x, by: a)
    }

    /// Scales x down to global norm `maxNorm` if it is longer (gradient clipping by magnitude).
    public static func clip<S: PluginScalar>(_ x: UnsafeMutableBufferPointer<S>, toNorm maxNorm: Double) {
        let n = norm(UnsafeBufferPointer(x))
        if n > maxNorm { S.scale(x, by: maxNorm / n) }
    }

    /// Copies `source` into `destination` (same length): the exact save/restore of SAM's weights.
    public static func copy<S: PluginScalar>(_ source: UnsafeBufferPointer<S>, to destination: UnsafeMutableBufferPointer<S>) {
        precondition(source.count == destination.count, "copy: \(source.count) values into \(destination.count)")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        d.update(from: s, count: source.count)
    }

    /// Writes the perturbed point w + e, e = s·(|w| + η)^power·g, into `point`, leaving w as it is:
    /// evaluate the oracle there (`lossAndGradient(at:)`), and w needs no restoring (the SAM family
    /// needs w back bit-exactly, docs/algorithms.md#the-sam-family; untouched is exact and cheaper).
    /// power 0 is SAM's e = s·g; 2 is ASAM's s·T²g; 1 is the big_vision "adaptive" s·|w|⊙g.
    public static func perturbedPoint<S: PluginScalar>(
        into point: UnsafeMutableBufferPointer<S>, weights w: UnsafeBufferPointer<S>, direction g: UnsafeBufferPointer<S>,
        scale s: Double, eta: Double = 0, power: Int = 0
    ) {
        S.perturb(w, direction: g, scale: s, eta: eta, power: power, into: point, addingWeights: true)
    }

    /// Writes e = s·(|w| + η)^power·g to `out` (what `perturbation` reports).
    public static func perturbation<S: PluginScalar>(
        into out: UnsafeMutableBufferPointer<S>, weights w: UnsafeBufferPointer<S>, direction g: UnsafeBufferPointer<S>,
        scale s: Double, eta: Double = 0, power: Int = 0
    ) {
        S.perturb(w, direction: g, scale: s, eta: eta, power: power, into: out, addingWeights: false)
    }
}
