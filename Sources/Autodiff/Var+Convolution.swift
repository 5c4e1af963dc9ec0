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
                needs[0] ? g.conv2dBackwardInput(x[1], inputShape: x[0].shape, options: options) : nil,
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
            [
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
                needs[0] ? x[1].conv2dBackwardInput(c, inputShape: x[0].shape, options: options) : nil,
                needs[1] ? x[0].conv2d(c, options: options) : nil,
            ]
        }
    }
}
