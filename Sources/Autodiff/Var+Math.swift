import Tensor

/// Elementwise functions. Each derivative is written in differentiable operations (using the
/// output where that is cheaper), so second derivatives are exact.
extension Var {
    public func exp() -> Var {
        Var.record(value.exp(), [self], op: "exp") { g, _, y, _ in [g * y] }
    }

    public func log() -> Var {
        Var.record(value.log(), [self], op: "log") { g, x, _, _ in [g / x[0]] }
    }

    public func sqrt() -> Var {
        Var.record(value.sqrt(), [self], op: "sqrt") { g, _, y, _ in [g / y * 0.5] }
    }

    public func tanh() -> Var {
        Var.record(value.tanh(), [self], op: "tanh") { g, _, y, _ in [g * (1 - y * y)] }
    }

    public func sigmoid() -> Var {
        Var.record(value.sigmoid(), [self], op: "sigmoid") { g, _, y, _ in [g * y * (1 - y)] }
    }

    /// The error function; d/dx erf(x) = 2/√π · exp(−x²).
    public func erf() -> Var {
        Var.record(value.erf(), [self], op: "erf") { g, x, _, _ in
            [g * (x[0] * x[0] * -1).exp() * 1.128_379_167_095_512_6]
        }
    }

    /// max(x, 0). Its pullback gates the cotangent by x > 0; the gate is piecewise constant in x,
    /// so it depends on x only through a constant (no second-order nodes for the mask).
    public func relu() -> Var {
        Var.record(value.relu(), [self], op: "relu") { g, x, _, _ in [g.gated(byPositive: x[0].value)] }
    }

    /// `self` where `reference` > 0, else 0: linear in `self`, so it is its own adjoint (one pass,
    /// no mask tensor).
    public func gated(byPositive reference: Tensor) -> Var {
        Var.record(value.gated(byPositive: reference), [self], op: "gate") { g, _, _, _ in [g.gated(byPositive: reference)] }
    }

    /// Exact GELU, x·Φ(x) (PyTorch's default `approximate='none'`).
    public func gelu() -> Var {
        guard Var.recordsAny([self]) else { return Var(value.gelu()) }
        // The slope is computed with the value (one exp for both) and kept for a pullback that
        // records nothing; a recorded sweep (HVP) needs it as a function of x instead.
        let (y, slope) = value.geluWithDerivative()
        return Var.record(y, [self], op: "gelu") { g, x, _, _ in
            Var.recordsAny([g, x[0]]) ? [g * x[0].geluDerivative()] : [Var(g.value * slope)]
        }
    }

    /// Φ(x) + x·φ(x); its derivative is φ(x)·(2 − x²): one fused pass in an HVP's second sweep,
    /// the composite when that sweep is itself recorded (third order).
    func geluDerivative() -> Var {
        Var.record(value.geluDerivative(), [self], op: "geluDerivative") { g, x, _, _ in
            let t = x[0]
            guard !Var.recordsAny([g, t]) else {
                let density = (t * t * -0.5).exp() * 0.398_942_280_401_432_7
                return [g * density * (2 - t * t)]
            }
            return [Var(g.value.timesGELUCurvature(at: t.value))]
        }
    }

    /// xᵖ for a constant exponent.
    public func pow(_ exponent: Double) -> Var {
        Var.record(value.pow(exponent), [self], op: "pow") { g, x, _, _ in [g * x[0].pow(exponent - 1) * exponent] }
    }

    public func squared() -> Var {
        Var.record(value.squared(), [self], op: "square") { g, x, _, _ in [g * x[0] * 2] }
    }

    public func abs() -> Var {
        Var.record(value.abs(), [self], op: "abs") { g, x, _, _ in [g.multiplied(byConstant: x[0].value.sign())] }
    }

    /// Elementwise maximum; the gradient goes to `self` where it is ≥ `other`, else to `other`.
    public func maximum(_ other: Var) -> Var {
        Var.record(value.maximum(other.value), [self, other], op: "maximum") { g, x, _, needs in
            let pick = x[0].value.greaterMask(x[1].value, op: "maximum")
                + x[0].value.equalMask(x[1].value, op: "maximum")
            let rest = 1 - Var(pick)
            return [
                needs[0] ? (g * Var(pick)).summed(toShape: x[0].shape) : nil,
                needs[1] ? (g * rest).summed(toShape: x[1].shape) : nil,
            ]
        }
    }
}
