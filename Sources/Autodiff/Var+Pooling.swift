import Tensor

/// Pooling. Max pooling is a gather at the window maxima (indices fixed by the forward value,
/// so it is linear almost everywhere); average pooling is linear with an explicit adjoint.
extension Var {
    /// Max pooling (padding never wins a window).
    public func maxPool2d(_ options: PoolingOptions) -> Var {
        let (indices, outputShape) = value.maxPool2dIndices(options)
        return gathered(flatIndices: indices, shape: outputShape)
    }

    /// Average pooling, zero padding counted in the divisor.
    public func avgPool2d(_ options: PoolingOptions) -> Var {
        Var.record(value.avgPool2d(options), [self], op: "avgPool2d") { g, x, _, _ in
            [g.avgPool2dBackward(inputShape: x[0].shape, options: options)]
        }
    }

    /// The adjoint of `avgPool2d` (`self` is ∂L/∂y).
    public func avgPool2dBackward(inputShape: [Int], options: PoolingOptions) -> Var {
        Var.record(value.avgPool2dBackward(inputShape: inputShape, options: options), [self], op: "avgPool2dBackward") {
            c, _, _, _ in [c.avgPool2d(options)]
        }
    }

    /// Mean over the spatial axes of NCHW, keeping [N, C].
    public func globalAvgPool2d() -> Var {
        tensorCheck(rank == 4, "globalAvgPool2d", "input \(shape) must be NCHW")
        return mean(axes: [2, 3])
    }
}
