/// The concrete witnesses: each forwards to its loop in `Kernels`, which is inlined and specialised here.
extension Float {
    /// `PluginScalar.sumOfSquares` for Float.
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double { Kernels.sumOfSquares(x) }
    /// `PluginScalar.scaledSumOfSquares` for Float.
    public static func scaledSumOfSquares(
        _ g: UnsafeBufferPointer<Float>, weights w: UnsafeBufferPointer<Float>, eta: Double
    ) -> Double {
        Kernels.scaledSumOfSquares(g, weights: w, eta: eta)
    }
    /// `PluginScalar.dot` for Float.
    public static func dot(
        _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>
    ) -> Double {
        Kernels.dot(x, y)
    }
    /// `PluginScalar.axpy` for Float.
    public static func axpy(
        _ a: Double, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>
    ) {
        Kernels.axpy(a, x, y)
    }
    /// `PluginScalar.combine` for Float.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Float>, _ a: Double, _ x: UnsafeBufferPointer<Float>, _ b: Double,
        _ y: UnsafeBufferPointer<Float>
    ) {
        Kernels.combine(out, a, x, b, y)
    }
    /// `PluginScalar.combine` for Float.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Float>, _ a: Double, _ x: UnsafeBufferPointer<Float>, _ b: Double,
        _ y: UnsafeBufferPointer<Float>, _ c: Double, _ z: UnsafeBufferPointer<Float>
    ) {
        Kernels.combine(out, a, x, b, y, c, z)
    }
    /// `PluginScalar.scale` for Float.
    public static func scale(_ x: UnsafeMutableBufferPointer<Float>, by a: Double) { Kernels.scale(x, by: a) }
    /// `PluginScalar.perturb` for Float.
    public static func perturb(
        _ w: UnsafeBufferPointer<Float>, direction g: UnsafeBufferPointer<Float>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<Float>, addingWeights: Bool
    ) {
        Kernels.perturb(w, direction: g, scale: s, eta: eta, power: power, into: out, addingWeights: addingWeights)
    }
    /// `PluginScalar.adamUpdate` for Float.
    public static func adamUpdate(
        _ w: UnsafeMutableBufferPointer<Float>, m: UnsafeMutableBufferPointer<Float>,
        v: UnsafeMutableBufferPointer<Float>, direction d: UnsafeBufferPointer<Float>, _ k: AdamCoefficients
    ) {
        Kernels.adamUpdate(w, m: m, v: v, direction: d, k)
    }
    /// `PluginScalar.sgdUpdate` for Float.
    public static func sgdUpdate(
        _ w: UnsafeMutableBufferPointer<Float>, momentum buffer: UnsafeMutableBufferPointer<Float>?,
        direction d: UnsafeBufferPointer<Float>, _ k: SGDCoefficients
    ) {
        Kernels.sgdUpdate(w, momentum: buffer, direction: d, k)
    }
}

extension Double {
    /// `PluginScalar.sumOfSquares` for Double.
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Double>) -> Double { Kernels.sumOfSquares(x) }
    /// `PluginScalar.scaledSumOfSquares` for Double.
    public static func scaledSumOfSquares(
        _ g: UnsafeBufferPointer<Double>, weights w: UnsafeBufferPointer<Double>, eta: Double
    ) -> Double {
        Kernels.scaledSumOfSquares(g, weights: w, eta: eta)
    }
    /// `PluginScalar.dot` for Double.
    public static func dot(
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>
    ) -> Double {
        Kernels.dot(x, y)
    }
    /// `PluginScalar.axpy` for Double.
    public static func axpy(
        _ a: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>
    ) {
        Kernels.axpy(a, x, y)
    }
    /// `PluginScalar.combine` for Double.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Double>, _ a: Double, _ x: UnsafeBufferPointer<Double>, _ b: Double,
        _ y: UnsafeBufferPointer<Double>
    ) {
        Kernels.combine(out, a, x, b, y)
    }
    /// `PluginScalar.combine` for Double.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Double>, _ a: Double, _ x: UnsafeBufferPointer<Double>, _ b: Double,
        _ y: UnsafeBufferPointer<Double>, _ c: Double, _ z: UnsafeBufferPointer<Double>
    ) {
        Kernels.combine(out, a, x, b, y, c, z)
    }
    /// `PluginScalar.scale` for Double.
    public static func scale(_ x: UnsafeMutableBufferPointer<Double>, by a: Double) { Kernels.scale(x, by: a) }
    /// `PluginScalar.perturb` for Double.
    public static func perturb(
        _ w: UnsafeBufferPointer<Double>, direction g: UnsafeBufferPointer<Double>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<Double>, addingWeights: Bool
    ) {
        Kernels.perturb(w, direction: g, scale: s, eta: eta, power: power, into: out, addingWeights: addingWeights)
    }
    /// `PluginScalar.adamUpdate` for Double.
    public static func adamUpdate(
        _ w: UnsafeMutableBufferPointer<Double>, m: UnsafeMutableBufferPointer<Double>,
        v: UnsafeMutableBufferPointer<Double>, direction d: UnsafeBufferPointer<Double>, _ k: AdamCoefficients
    ) {
        Kernels.adamUpdate(w, m: m, v: v, direction: d, k)
    }
    /// `PluginScalar.sgdUpdate` for Double.
    public static func sgdUpdate(
        _ w: UnsafeMutableBufferPointer<Double>, momentum buffer: UnsafeMutableBufferPointer<Double>?,
        direction d: UnsafeBufferPointer<Double>, _ k: SGDCoefficients
    ) {
        Kernels.sgdUpdate(w, momentum: buffer, direction: d, k)
    }
}
