import Tensor

/// Broadcasting arithmetic and its adjoints.
extension Var {
    /// This variable broadcast to `target` (NumPy rules).
    public func broadcast(to target: [Int]) -> Var {
        if shape == target { return self }
        let source = shape
        return Var.record(value.broadcast(to: target), [self], op: "broadcast") { g, _, _, _ in [g.summed(toShape: source)] }
    }

    /// Sums the broadcast axes away so the result has shape `target` (the adjoint of `broadcast`).
    public func summed(toShape target: [Int]) -> Var {
        if shape == target { return self }
        let source = shape
        return Var.record(value.summed(toShape: target), [self], op: "sumToShape") { g, x, _, _ in
            [Var.broadcastCotangent(g, to: source, for: x[0])]
        }
    }

    /// `g` broadcast to `shape` as a pullback's cotangent for `input`. In a sweep that records
    /// nothing it is added straight into the input's running cotangent (nil is returned), so the
    /// full-size broadcast is never materialised (e.g. a bias's second-order term).
    static func broadcastCotangent(_ g: Var, to shape: [Int], for input: Var) -> Var? {
        if !recordsAny([g]), let tape = input.tape,
            tape.foldCotangent(into: input, { sum in
                guard var running = sum else { sum = g.value.broadcast(to: shape); return }
                sum = nil  // `running` holds the only reference, so `+=` writes in place
                running += g.value
                sum = running
            })
        {
            return nil
        }
        return g.broadcast(to: shape)
    }

    public static func + (a: Var, b: Var) -> Var {
        Var.record(a.value + b.value, [a, b], op: "add") { g, inputs, _, needs in
            [needs[0] ? g.summed(toShape: inputs[0].shape) : nil, needs[1] ? g.summed(toShape: inputs[1].shape) : nil]
        }
    }

    public static func - (a: Var, b: Var) -> Var {
        Var.record(a.value - b.value, [a, b], op: "subtract") { g, inputs, _, needs in
            [needs[0] ? g.summed(toShape: inputs[0].shape) : nil, needs[1] ? (-g).summed(toShape: inputs[1].shape) : nil]
        }
    }

    public static func * (a: Var, b: Var) -> Var {
        Var.record(a.value * b.value, [a, b], op: "multiply") { g, inputs, _, needs in
            [
                needs[0] ? (g * inputs[1]).summed(toShape: inputs[0].shape) : nil,
                needs[1] ? (g * inputs[0]).summed(toShape: inputs[1].shape) : nil,
            ]
        }
    }

    public static func / (a: Var, b: Var) -> Var {
        Var.record(a.value / b.value, [a, b], op: "divide") { g, inputs, y, needs in
            [
                needs[0] ? (g / inputs[1]).summed(toShape: inputs[0].shape) : nil,
                needs[1] ? (-(g * y) / inputs[1]).summed(toShape: inputs[1].shape) : nil,
            ]
        }
    }

    public static prefix func - (a: Var) -> Var {
        Var.record(-a.value, [a], op: "negate") { g, _, _, _ in [-g] }
    }

    /// a · s for a constant scalar s.
    public static func * (a: Var, s: Double) -> Var {
        Var.record(a.value * s, [a], op: "scale") { g, _, _, _ in [g * s] }
    }

    public static func * (s: Double, a: Var) -> Var { a * s }
    public static func / (a: Var, s: Double) -> Var { a * (1 / s) }

    /// a + s for a constant scalar s.
    public static func + (a: Var, s: Double) -> Var {
        Var.record(a.value + s, [a], op: "shift") { g, _, _, _ in [g] }
    }

    public static func - (a: Var, s: Double) -> Var { a + (-s) }
    public static func - (s: Double, a: Var) -> Var { -a + s }

    /// Multiplies by a tensor treated as a constant (masks, fixed weights).
    public func multiplied(byConstant mask: Tensor) -> Var { self * Var(mask) }
}
