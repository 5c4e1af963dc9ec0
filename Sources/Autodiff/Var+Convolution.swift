import Tensor

/// Convolution as three bilinear faces of one operator B(x, w), each face's pullback written
/// with the other two, so every order of derivative stays exact:
///   y  = B(x, w)            → ∂x = Bᵀₓ(g, w),   ∂w = Bᵀ_w(x, g)
///   gx = Bᵀₓ(gy, w)         → ∂gy = B(c, w),    ∂w = Bᵀ_w(c, gy)
///   gw = Bᵀ_w(x, gy)        → ∂x = Bᵀₓ(gy, c),  ∂gy = B(x, c)
extension Var {
    /// `conv2d(self[N,C,H,W], weight[O,C/groups,kh,kw])`, no bias.
    public func conv2d(_ weight: Var, options: ConvolutionOptions = .init()) -> Var {
        Var.record(value.conv2d(weight.value, options: options), [self, weight], op: "conv2d") { g, x, _, needs in
            [
                needs[0] ? Var.backwardInputCotangent(g, x[1], for: x[0], options: options) : nil,
                needs[1] ? x[0].conv2dBackwardWeight(g, weightShape: x[1].shape, options: options) : nil,
            ]
        }
    }

    /// ∂L/∂x of a convolution, from `self` = ∂L/∂y.
    public func conv2dBackwardInput(_ weight: Var, inputShape: [Int], options: ConvolutionOptions) -> Var {
        Var.record(
            value.conv2dBackwardInput(weight.value, inputShape: inputShape, options: options), [self, weight],
            op: "conv2dBackwardInput"
        ) { c, x, _, needs in
            if needs[0] && needs[1] && !Var.recordsAny([c, x[0], x[1]]) {
                // Not recorded (a second sweep): one lowering of c serves both products.
                let (y, gw) = c.value.conv2dAndBackwardWeight(x[1].value, x[0].value, options: options)
                return [Var(y), Var(gw)]
            }
            return [
                needs[0] ? c.conv2d(x[1], options: options) : nil,
                needs[1] ? c.conv2dBackwardWeight(x[0], weightShape: x[1].shape, options: options) : nil,
            ]
        }
    }

    /// ∂L/∂w of a convolution, from `self` = x and `outputGradient` = ∂L/∂y.
    public func conv2dBackwardWeight(_ outputGradient: Var, weightShape: [Int], options: ConvolutionOptions) -> Var {
        Var.record(
            value.conv2dBackwardWeight(outputGradient.value, weightShape: weightShape, options: options),
            [self, outputGradient], op: "conv2dBackwardWeight"
        ) { c, x, _, needs in
            [
                needs[0] ? Var.backwardInputCotangent(x[1], c, for: x[0], options: options) : nil,
                needs[1] ? x[0].conv2d(c, options: options) : nil,
            ]
        }
    }

    /// Bᵀₓ(gy, w) as a pullback's cotangent for `input`. In a sweep that records nothing the term
    /// is handed to the sweep instead (nil is returned): it sums all terms for one input (a second
    /// sweep has two per convolution input) with one col2im when that cotangent is needed.
    static func backwardInputCotangent(_ gy: Var, _ w: Var, for input: Var, options: ConvolutionOptions) -> Var? {
        if let tape = input.tape, input.index >= 0, !recordsAny([gy, w]),
            tape.deferBackwardInput(gy.value, w.value, for: input.index, inputShape: input.shape, options: options)
        {
            return nil
        }
        return gy.conv2dBackwardInput(w, inputShape: input.shape, options: options)
    }
}
