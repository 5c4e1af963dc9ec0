import Autodiff
import Tensor
import Testing

/// Individual primitives against JAX (float64): forward value and the VJP of a fixed cotangent.
struct GoldenPrimitiveTests {
    static func apply(_ c: GoldenPrimitive, _ x: [Var]) -> Var {
        let a = c.attributes
        switch c.op {
        case "conv2d":
            return x[0].conv2d(x[1], options: .init(stride: a.stride ?? 1, padding: a.padding ?? 0, groups: a.groups ?? 1))
        case "max_pool2d":
            return x[0].maxPool2d(.init(kernel: a.kernel_size!, stride: a.stride, padding: a.padding ?? 0))
        case "avg_pool2d":
            return x[0].avgPool2d(.init(kernel: a.kernel_size!, stride: a.stride, padding: a.padding ?? 0))
        case "log_softmax": return x[0].logSoftmax()
        case "softmax": return x[0].softmax()
        case "gelu": return x[0].gelu()
        case "erf": return x[0].erf()
        case "layer_norm": return x[0].layerNormalized(weight: x[1], bias: x[2], epsilon: a.eps!)
        case "roll": return x[0].rolled(shifts: a.shifts!, axes: a.axes!)
        case "matmul": return x[0].matmul(x[1])
        case "cross_entropy": return x[0].crossEntropy(labels: a.labels!)
        case "sum": return x[0].sum(axes: a.axes, keepingDimensions: a.keepdims ?? false)
        default: fatalError("golden op \(c.op) has no Sharp counterpart in this test")
        }
    }

    @Test func everyGoldenPrimitiveMatchesJAX() throws {
        let goldens = try Goldens.load("primitives", as: GoldenPrimitives.self)
        #expect(goldens.cases.count == 16)
        for c in goldens.cases {
            let inputs = c.inputs.map(\.tensor)
            let output = Self.apply(c, inputs.map(Var.init)).value
            #expect(output.shape == c.output.shape, "\(c.name): shape \(output.shape) vs \(c.output.shape)")
            #expect(relativeError(output.doubles, c.output.data) < 1e-12, "\(c.name): forward")

            let cotangent = Var(c.cotangent.tensor)
            let gradient = try valueAndGradient(at: inputs) { x in (Self.apply(c, x) * cotangent).sum() }.gradient
            for (i, (g, expected)) in zip(gradient, c.input_grads).enumerated() {
                let error = relativeError(g.doubles, expected.data)
                #expect(error < 1e-12, "\(c.name): VJP of input \(i) relative error \(error)")
            }
        }
    }
}
