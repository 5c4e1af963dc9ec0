/// The concrete witnesses: each runs its loop in `Kernels` (inlined and specialised here) over
/// the fixed chunks of `KernelChunks`, on several threads when the buffer is large.
///
/// The `Float` and `Double` extensions are twins on purpose: the loops live once, in `Kernels`,
/// but each type needs its own witnesses, because a generic default would run unspecialised
/// whenever another module names `Float.kernel` directly (FlatKernels.swift).
extension Float {
    /// `PluginScalar.sumOfSquares` for Float.
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double { KernelChunks.sum(x.count) { Kernels.sumOfSquares(x.chunk($0)) } }
    /// `PluginScalar.scaledSumOfSquares` for Float.
    public static func scaledSumOfSquares(
        _ g: UnsafeBufferPointer<Float>, weights w: UnsafeBufferPointer<Float>, eta: Double
    ) -> Double {
        precondition(g.count == w.count, "scaledSumOfSquares: \(g.count) gradient values for \(w.count) weights")
        return KernelChunks.sum(g.count) { Kernels.scaledSumOfSquares(g.chunk($0), weights: w.chunk($0), eta: eta) }
    }
    /// `PluginScalar.dot` for Float.
    public static func dot(
        _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>
    ) -> Double {
        precondition(x.count == y.count, "dot: buffers of \(x.count) and \(y.count) elements")
        return KernelChunks.sum(x.count) { Kernels.dot(x.chunk($0), y.chunk($0)) }
    }
    /// `PluginScalar.axpy` for Float.
    public static func axpy(
        _ a: Double, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(x.count == y.count, "axpy: buffers of \(x.count) and \(y.count) elements")
        KernelChunks.forEach(x.count) { Kernels.axpy(a, x.chunk($0), y.chunk($0)) }
    }
    /// `PluginScalar.combine` for Float.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Float>, _ a: Double, _ x: UnsafeBufferPointer<Float>, _ b: Double,
        _ y: UnsafeBufferPointer<Float>
    ) {
        precondition(out.count == x.count && x.count == y.count, "combine: buffers of different lengths")
        KernelChunks.forEach(out.count) { Kernels.combine(out.chunk($0), a, x.chunk($0), b, y.chunk($0)) }
    }
    /// `PluginScalar.combine` for Float.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Float>, _ a: Double, _ x: UnsafeBufferPointer<Float>, _ b: Double,
        _ y: UnsafeBufferPointer<Float>, _ c: Double, _ z: UnsafeBufferPointer<Float>
    ) {
        precondition(out.count == x.count && x.count == y.count && y.count == z.count, "combine: buffers of different lengths")
        KernelChunks.forEach(out.count) { Kernels.combine(out.chunk($0), a, x.chunk($0), b, y.chunk($0), c, z.chunk($0)) }
    }
    /// `PluginScalar.scale` for Float.
    public static func scale(_ x: UnsafeMutableBufferPointer<Float>, by a: Double) { KernelChunks.forEach(x.count) { Kernels.scale(x.chunk($0), by: a) } }
    /// `PluginScalar.perturb` for Float.
    public static func perturb(
        _ w: UnsafeBufferPointer<Float>, direction g: UnsafeBufferPointer<Float>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<Float>, addingWeights: Bool
    ) {
        precondition(w.count == g.count && out.count == w.count, "perturb: \(w.count) weights, \(g.count) direction values, \(out.count) outputs")
        KernelChunks.forEach(w.count) {
            Kernels.perturb(w.chunk($0), direction: g.chunk($0), scale: s, eta: eta, power: power, into: out.chunk($0), addingWeights: addingWeights)
        }
    }
    /// `PluginScalar.adamUpdate` for Float.
    public static func adamUpdate(
        _ w: UnsafeMutableBufferPointer<Float>, m: UnsafeMutableBufferPointer<Float>,
        v: UnsafeMutableBufferPointer<Float>, direction d: UnsafeBufferPointer<Float>, _ k: AdamCoefficients
    ) {
        precondition(m.count == w.count && v.count == w.count && d.count == w.count, "adamUpdate: buffers of different lengths")
        KernelChunks.forEach(w.count) { Kernels.adamUpdate(w.chunk($0), m: m.chunk($0), v: v.chunk($0), direction: d.chunk($0), k) }
    }
    /// `PluginScalar.sgdUpdate` for Float.
    public static func sgdUpdate(
        _ w: UnsafeMutableBufferPointer<Float>, momentum buffer: UnsafeMutableBufferPointer<Float>?,
        direction d: UnsafeBufferPointer<Float>, _ k: SGDCoefficients
    ) {
        precondition(d.count == w.count && (buffer.map { $0.count == w.count } ?? true), "sgdUpdate: buffers of different lengths")
        KernelChunks.forEach(w.count) { Kernels.sgdUpdate(w.chunk($0), momentum: buffer?.chunk($0), direction: d.chunk($0), k) }
    }
}

extension Double {
    /// `PluginScalar.sumOfSquares` for Double.
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Double>) -> Double { KernelChunks.sum(x.count) { Kernels.sumOfSquares(x.chunk($0)) } }
    /// `PluginScalar.scaledSumOfSquares` for Double.
    public static func scaledSumOfSquares(
        _ g: UnsafeBufferPointer<Double>, weights w: UnsafeBufferPointer<Double>, eta: Double
    ) -> Double {
        precondition(g.count == w.count, "scaledSumOfSquares: \(g.count) gradient values for \(w.count) weights")
        return KernelChunks.sum(g.count) { Kernels.scaledSumOfSquares(g.chunk($0), weights: w.chunk($0), eta: eta) }
    }
    /// `PluginScalar.dot` for Double.
    public static func dot(
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>
    ) -> Double {
        precondition(x.count == y.count, "dot: buffers of \(x.count) and \(y.count) elements")
        return KernelChunks.sum(x.count) { Kernels.dot(x.chunk($0), y.chunk($0)) }
    }
    /// `PluginScalar.axpy` for Double.
    public static func axpy(
        _ a: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(x.count == y.count, "axpy: buffers of \(x.count) and \(y.count) elements")
        KernelChunks.forEach(x.count) { Kernels.axpy(a, x.chunk($0), y.chunk($0)) }
    }
    /// `PluginScalar.combine` for Double.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Double>, _ a: Double, _ x: UnsafeBufferPointer<Double>, _ b: Double,
        _ y: UnsafeBufferPointer<Double>
    ) {
        precondition(out.count == x.count && x.count == y.count, "combine: buffers of different lengths")
        KernelChunks.forEach(out.count) { Kernels.combine(out.chunk($0), a, x.chunk($0), b, y.chunk($0)) }
    }
    /// `PluginScalar.combine` for Double.
    public static func combine(
        _ out: UnsafeMutableBufferPointer<Double>, _ a: Double, _ x: UnsafeBufferPointer<Double>, _ b: Double,
        _ y: UnsafeBufferPointer<Double>, _ c: Double, _ z: UnsafeBufferPointer<Double>
    ) {
        precondition(out.count == x.count && x.count == y.count && y.count == z.count, "combine: buffers of different lengths")
        KernelChunks.forEach(out.count) { Kernels.combine(out.chunk($0), a, x.chunk($0), b, y.chunk($0), c, z.chunk($0)) }
    }
    /// `PluginScalar.scale` for Double.
    public static func scale(_ x: UnsafeMutableBufferPointer<Double>, by a: Double) { KernelChunks.forEach(x.count) { Kernels.scale(x.chunk($0), by: a) } }
    /// `PluginScalar.perturb` for Double.
    public static func perturb(
        _ w: UnsafeBufferPointer<Double>, direction g: UnsafeBufferPointer<Double>, scale s: Double, eta: Double, power: Int,
        into out: UnsafeMutableBufferPointer<Double>, addingWeights: Bool
    ) {
        precondition(w.count == g.count && out.count == w.count, "perturb: \(w.count) weights, \(g.count) direction values, \(out.count) outputs")
        KernelChunks.forEach(w.count) {
            Kernels.perturb(w.chunk($0), direction: g.chunk($0), scale: s, eta: eta, power: power, into: out.chunk($0), addingWeights: addingWeights)
        }
    }
    /// `PluginScalar.adamUpdate` for Double.
    public static func adamUpdate(
        _ w: UnsafeMutableBufferPointer<Double>, m: UnsafeMutableBufferPointer<Double>,
        v: UnsafeMutableBufferPointer<Double>, direction d: UnsafeBufferPointer<Double>, _ k: AdamCoefficients
    ) {
        precondition(m.count == w.count && v.count == w.count && d.count == w.count, "adamUpdate: buffers of different lengths")
        KernelChunks.forEach(w.count) { Kernels.adamUpdate(w.chunk($0), m: m.chunk($0), v: v.chunk($0), direction: d.chunk($0), k) }
    }
    /// `PluginScalar.sgdUpdate` for Double.
    public static func sgdUpdate(
        _ w: UnsafeMutableBufferPointer<Double>, momentum buffer: UnsafeMutableBufferPointer<Double>?,
        direction d: UnsafeBufferPointer<Double>, _ k: SGDCoefficients
    ) {
        precondition(d.count == w.count && (buffer.map { $0.count == w.count } ?? true), "sgdUpdate: buffers of different lengths")
        KernelChunks.forEach(w.count) { Kernels.sgdUpdate(w.chunk($0), momentum: buffer?.chunk($0), direction: d.chunk($0), k) }
    }
}
