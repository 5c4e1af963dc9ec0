import CSharpPlugin
#if canImport(Glibc)
import Glibc
#endif

/// Everything one Adam or AdamW update needs besides the buffers (PyTorch semantics [PT]).
public struct AdamCoefficients: Sendable {
    /// Step size α.
    public var learningRate: Double
    /// Decay of the first moment.
    public var beta1: Double
    /// Decay of the second moment.
    public var beta2: Double
    /// Added to √v̂ in the denominator.
    public var epsilon: Double
    /// L2 penalty coupled into the moments (Adam's `weight_decay`): d ← d + λ·w.
    public var weightDecay: Double
    /// Decoupled decay (AdamW's `weight_decay`): w ← w·(1 − lr·λ) before the update.
    public var decoupledWeightDecay: Double
    /// 1-based number of this update (for the bias corrections).
    public var step: Int

    /// Coefficients for update number `step`.
    public init(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                weightDecay: Double = 0, decoupledWeightDecay: Double = 0, step: Int) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.step = step
    }
}

/// Everything one SGD update needs besides the buffers (PyTorch `torch.optim.SGD` semantics).
public struct SGDCoefficients: Sendable {
    /// Step size.
    public var learningRate: Double
    /// Momentum μ (0 = none; the buffer is then unused).
    public var momentum: Double
    /// Dampening of the momentum buffer's input (not applied on the first step, as PyTorch).
    public var dampening: Double
    /// Coupled L2 penalty: d ← d + λ·w.
    public var weightDecay: Double
    /// Nesterov momentum: d ← d + μ·buf instead of d ← buf.
    public var nesterov: Bool
    /// True on the first update, when the buffer is set to d instead of being decayed.
    public var firstStep: Bool

    /// Coefficients of one update.
    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                nesterov: Bool = false, firstStep: Bool) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.firstStep = firstStep
    }
}

extension Kernels {
    @inline(__always) static func adamUpdate<T: BinaryFloatingPoint>(
        _ w: UnsafeMutableBufferPointer<T>, m: UnsafeMutableBufferPointer<T>,
        v: UnsafeMutableBufferPointer<T>, direction d: UnsafeBufferPointer<T>, _ k: AdamCoefficients
    ) {
        let n = w.count
        precondition(m.count == n && v.count == n && d.count == n, "adamUpdate: buffers of different lengths")
        guard let wp = w.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress, let dp = d.baseAddress else { return }
        let t = Double(k.step)
        let bias1 = 1 - pow(k.beta1, t), bias2 = 1 - pow(k.beta2, t)
        // PyTorch's arrangement: w ← w − (lr/bc1)·m / (√v/√bc2 + eps).
        let b1 = T(k.beta1), b2 = T(k.beta2), c1 = T(1 - k.beta1), c2 = T(1 - k.beta2)
        let stepSize = T(k.learningRate / bias1), rootBias2 = T(bias2.squareRoot()), eps = T(k.epsilon)
        let l2 = T(k.weightDecay), shrink = T(1 - k.learningRate * k.decoupledWeightDecay)
        for i in 0..<n {
            let wi = wp[i]
            let di = dp[i] + l2 * wi
            let mi = b1 * mp[i] + c1 * di
            let vi = b2 * vp[i] + c2 * (di * di)
            mp[i] = mi
            vp[i] = vi
            wp[i] = wi * shrink - stepSize * mi / (squareRoot(vi) / rootBias2 + eps)
        }
    }

    @inline(__always) static func sgdUpdate<T: BinaryFloatingPoint>(
        _ w: UnsafeMutableBufferPointer<T>, momentum buffer: UnsafeMutableBufferPointer<T>?,
        direction d: UnsafeBufferPointer<T>, _ k: SGDCoefficients
    ) {
        let n = w.count
        precondition(d.count == n, "sgdUpdate: \(d.count) direction values for \(n) parameters")
        guard let wp = w.baseAddress, let dp = d.baseAddress else { return }
        let lr = T(k.learningRate), l2 = T(k.weightDecay)
        guard k.momentum != 0 else {
            for i in 0..<n { let wi = wp[i]; wp[i] = wi - lr * (dp[i] + l2 * wi) }
            return
        }
        guard let buffer, let bp = buffer.baseAddress, buffer.count == n else {
            preconditionFailure("sgdUpdate: momentum needs a buffer of \(n) values")
        }
        let mu = T(k.momentum), keep = T(1 - k.dampening)
        for i in 0..<n {
            let wi = wp[i]
            let di = dp[i] + l2 * wi
            let bi = k.firstStep ? di : mu * bp[i] + keep * di
            bp[i] = bi
            wp[i] = wi - lr * (k.nesterov ? di + mu * bi : bi)
        }
    }
}

/// √x without libm's errno check, so loops using it vectorise (sharp_plugin_math.h); the type
/// tests fold away once the kernel is specialised.
@inline(__always) func squareRoot<T: BinaryFloatingPoint>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(sharp_sqrtf(unsafeBitCast(x, to: Float.self)), to: T.self) }
    if T.self == Double.self { return unsafeBitCast(sharp_sqrt(unsafeBitCast(x, to: Double.self)), to: T.self) }
    return x.squareRoot()
}
