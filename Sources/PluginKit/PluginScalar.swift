import CSharpPlugin

/// An element type an optimizer plugin can run on: `Float` (training) or `Double` (analysis, tests).
///
/// The requirements are the flat-buffer kernels. Each is implemented once per concrete type
/// (`Float+PluginScalar`, `Double+PluginScalar`), so a plugin written generically over `Scalar`
/// pays one witness-table call per kernel per step, never per element: generic code that crosses
/// a module boundary runs unspecialised, and a per-element generic loop would be ~10× slower.
/// Plugin code calls these through `FlatMath`, which documents each one.
public protocol PluginScalar: BinaryFloatingPoint, Sendable {
    /// The ABI's element type code (`SHARP_DTYPE_FLOAT32` or `SHARP_DTYPE_FLOAT64`).
    static var dtypeCode: UInt32 { get }
    /// Σ xᵢ², accumulated in Double.
    static func sumOfSquares(_ x: UnsafeBufferPointer<Self>) -> Double
    /// Σ ((|wᵢ| + η)·gᵢ)², accumulated in Double.
    static func scaledSumOfSquares(_ g: UnsafeBufferPointer<Self>, weights w: UnsafeBufferPointer<Self>, eta: Double) -> Double
    /// Σ xᵢ·yᵢ, accumulated in Double.
    static func dot(_ x: UnsafeBufferPointer<Self>, _ y: UnsafeBufferPointer<Self>) -> Double
    /// y ← y + a·x.
    static func axpy(_ a: Double, _ x: UnsafeBufferPointer<Self>, _ y: UnsafeMutableBufferPointer<Self>)
    /// out ← a·x + b·y.
    static func combine(
        _ out: UnsafeMutableBufferPointer<Self>, _ a: Double, _ x: UnsafeBufferPointer<Self>,
        _ b: Double, _ y: UnsafeBufferPointer<Self>)
    /// out ← a·x + b·y + c·z.
    static func combine(
        _ out: UnsafeMutableBufferPointer<Self>, _ a: Double, _ x: UnsafeBufferPointer<Self>,
        _ b: Double, _ y: UnsafeBufferPointer<Self>, _ c: Double, _ z: UnsafeBufferPointer<Self>)
    /// x ← a·x.
    static func scale(_ x: UnsafeMutableBufferPointer<Self>, by a: Double)
    /// outᵢ ← eᵢ = s·(|wᵢ| + η)^power·gᵢ with power 0, 1 or 2, or wᵢ + eᵢ when `addingWeights`
    /// (`out` may be `w` itself).
    static func perturb(
        _ w: UnsafeBufferPointer<Self>, direction g: UnsafeBufferPointer<Self>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<Self>, addingWeights: Bool)
    /// One Adam/AdamW update of `w` along `d` with moments `m`, `v` (see `AdamCoefficients`).
    static func adamUpdate(
        _ w: UnsafeMutableBufferPointer<Self>, m: UnsafeMutableBufferPointer<Self>,
        v: UnsafeMutableBufferPointer<Self>, direction d: UnsafeBufferPointer<Self>, _ k: AdamCoefficients)
    /// One SGD update of `w` along `d`, with an optional momentum buffer (see `SGDCoefficients`).
    static func sgdUpdate(
        _ w: UnsafeMutableBufferPointer<Self>, momentum buffer: UnsafeMutableBufferPointer<Self>?,
        direction d: UnsafeBufferPointer<Self>, _ k: SGDCoefficients)
}

extension Float: PluginScalar {
    /// `SHARP_DTYPE_FLOAT32`.
    public static var dtypeCode: UInt32 { SHARP_DTYPE_FLOAT32 }
}

extension Double: PluginScalar {
    /// `SHARP_DTYPE_FLOAT64`.
    public static var dtypeCode: UInt32 { SHARP_DTYPE_FLOAT64 }
}
