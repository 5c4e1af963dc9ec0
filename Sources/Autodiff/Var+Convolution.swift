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
                needs[1] ? Var.weightGradient(x[0], g, weight: x[1], options: options) : nil,
            ]
        }
    }

    /// Bᵀ_w(x, g) as the convolution's pullback result for `weight`. When a one-off HVP has
    /// announced its direction v for this weight (`Tape.anticipatedDirections`), the same lowering
    /// of x also computes B(x, v), which the second sweep needs from this node's pullback (its
    /// cotangent there is v): it is left as a memo instead of lowering x once more.
    static func weightGradient(_ x: Var, _ g: Var, weight: Var, options: ConvolutionOptions) -> Var {
        guard let tape = weight.tape, tape.isRecording, weight.index >= 0, let v = tape.anticipatedDirections[weight.index],
            v.shape == weight.shape, v.dtype == weight.dtype
        else { return x.conv2dBackwardWeight(g, weightShape: weight.shape, options: options) }
        let (forward, gradient) = x.value.conv2dAndBackwardWeight(v, g.value, options: options)
        let node = x.recordBackwardWeight(gradient, g, options: options)
        if node.tape === tape, node.index >= 0 { tape.memos[node.index] = (v, forward) }
        return node
    }

    /// ∂L/∂x of a convolution, from `self` = ∂L/∂y.
    public func conv2dBackwardInput(_ weight: Var, inputShape: [Int], options: ConvolutionOptions) -> Var {
        Var.record(
            value.conv2dBackwardInput(weight.value, inputShape: inputShape, options: options), [self, weight],
            op: "conv2dBackwardInput"
        ) { c, x, _, needs in
            if needs[0] && needs[1] && !Var.recordsAny([c, x[0], x[1]]) {
                // Not recorded (a second sweep): one lowering of c serves both products, and the
                // convolution accumulates into the running cotangent of the output gradient, which
                // usually holds B(x, v) from the weight gradient's pullback already.
                var weightGradient: Tensor?
                let folded = x[0].tape?.foldCotangent(into: x[0]) { sum in
                    if var running = sum {
                        sum = nil
                        weightGradient = c.value.conv2dAndBackwardWeight(x[1].value, x[0].value, options: options, addingOutputTo: &running)
                        sum = running
                    } else {
                        let (y, gw) = c.value.conv2dAndBackwardWeight(x[1].value, x[0].value, options: options)
                        (sum, weightGradient) = (y, gw)
                    }
                }
                if folded == true, let weightGradient { return [nil, Var(weightGradient)] }
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
        recordBackwardWeight(
            value.conv2dBackwardWeight(outputGradient.value, weightShape: weightShape, options: options), outputGradient,
            options: options)
    }

    /// Records `result` = Bᵀ_w(self, outputGradient), computed by the caller.
    func recordBackwardWeight(_ result: Tensor, _ outputGradient: Var, options: ConvolutionOptions) -> Var {
        Var.record(result, [self, outputGradient], op: "conv2dBackwardWeight") { c, x, y, needs in
            var forward: Var?
            if needs[1], !Var.recordsAny([c, x[0]]), let memo = y.tape?.takeMemo(for: y.index, cotangent: c.value) {
                forward = Var(memo)  // B(x, c), computed with the first sweep (`Var.weightGradient`)
            }
            return [
                needs[0] ? Var.backwardInputCotangent(x[1], c, for: x[0], options: options) : nil,
                needs[1] ? forward ?? x[0].conv2d(c, options: options) : nil,
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
