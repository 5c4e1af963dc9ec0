import Autodiff
import Foundation
import Tensor
import Testing

/// Every differentiable primitive, on seeded random shapes in Float64:
/// - its gradient equals central finite differences of its value;
/// - its Hessian-vector product (the pullback differentiated again) equals finite differences of
///   its gradient, and is symmetric: uᵀ(Hv) = vᵀ(Hu).
///
/// Each primitive is wrapped as L(x) = Σ R⊙op(x) + ½ Σ S⊙op(x)², so that linear primitives get a
/// non-zero Hessian through their own pullback.
struct PrimitiveDerivativeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let seed: UInt64
        let make: @Sendable (inout TestRandom) -> (inputs: [Tensor], op: @Sendable ([Var]) -> Var)
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "add (broadcast)", seed: 1) { r in
            let n = r.int(2...4); let m = r.int(2...5)
            return ([r.tensor([n, m]), r.tensor([1, m])], { $0[0] + $0[1] })
        },
        Case(name: "subtract (broadcast rank)", seed: 2) { r in
            let n = r.int(2...4); let m = r.int(2...5)
            return ([r.tensor([n, 3, m]), r.tensor([m])], { $0[0] - $0[1] })
        },
        Case(name: "multiply (broadcast)", seed: 3) { r in
            let n = r.int(2...4)
            return ([r.tensor([n, 1, 4]), r.tensor([3, 1])], { $0[0] * $0[1] })
        },
        Case(name: "divide", seed: 4) { r in
            let n = r.int(2...5)
            return ([r.tensor([n, 3]), r.tensor([n, 3], scale: 0.3, offset: 2)], { $0[0] / $0[1] })
        },
        Case(name: "negate, scale, shift", seed: 5) { r in ([r.tensor([r.int(2...6)])], { (-$0[0]) * 1.7 + 0.3 }) },
        Case(name: "exp", seed: 6) { r in ([r.tensor([r.int(2...4), 3], scale: 0.5)], { $0[0].exp() }) },
        Case(name: "log", seed: 7) { r in ([r.tensor([r.int(2...4), 3], scale: 0.2, offset: 1.5)], { $0[0].log() }) },
        Case(name: "sqrt", seed: 8) { r in ([r.tensor([r.int(2...6)], scale: 0.2, offset: 1.5)], { $0[0].sqrt() }) },
        Case(name: "tanh", seed: 9) { r in ([r.tensor([r.int(2...4), 4])], { $0[0].tanh() }) },
        Case(name: "sigmoid", seed: 10) { r in ([r.tensor([r.int(2...4), 4])], { $0[0].sigmoid() }) },
        Case(name: "erf", seed: 11) { r in ([r.tensor([r.int(3...9)])], { $0[0].erf() }) },
        Case(name: "relu", seed: 12) { r in ([r.separated([r.int(2...4), 5])], { $0[0].relu() }) },
        Case(name: "gelu", seed: 13) { r in ([r.tensor([r.int(2...4), 5], scale: 1.5)], { $0[0].gelu() }) },
        Case(name: "pow", seed: 14) { r in ([r.tensor([r.int(2...6)], scale: 0.2, offset: 1.2)], { $0[0].pow(2.5) }) },
        Case(name: "square", seed: 15) { r in ([r.tensor([r.int(2...6)])], { $0[0].squared() }) },
        Case(name: "abs", seed: 16) { r in ([r.separated([r.int(2...6)])], { $0[0].abs() }) },
        Case(name: "maximum", seed: 17) { r in
            let x = r.separated([4, 3])
            return ([x, x.sliced(axis: 0, start: 0, count: 1) * 0 + 0.037], { $0[0].maximum($0[1]) })
        },
        Case(name: "broadcast", seed: 18) { r in ([r.tensor([3, 1])], { $0[0].broadcast(to: [2, 3, 4]) }) },
        Case(name: "sumToShape", seed: 19) { r in ([r.tensor([2, 3, 4])], { $0[0].summed(toShape: [3, 1]) }) },
        Case(name: "sum over axes", seed: 20) { r in ([r.tensor([3, r.int(2...4), 5])], { $0[0].sum(axes: [0, 2]) }) },
        Case(name: "sum all", seed: 21) { r in ([r.tensor([3, 4])], { $0[0].sum() }) },
        Case(name: "mean keepdims", seed: 22) { r in ([r.tensor([3, 4, 2])], { $0[0].mean(axes: [1], keepingDimensions: true) }) },
        Case(name: "max over axis", seed: 23) { r in ([r.separated([3, 5, 2])], { $0[0].max(axes: [1]) }) },
        Case(name: "reshape", seed: 24) { r in ([r.tensor([2, 6])], { $0[0].reshaped([3, -1]) }) },
        Case(name: "permute", seed: 25) { r in ([r.tensor([2, 3, 4])], { $0[0].permuted([2, 0, 1]) }) },
        Case(name: "slice", seed: 26) { r in ([r.tensor([4, 5, 3])], { $0[0].sliced(lower: [1, 2, 0], sizes: [2, 3, 2]) }) },
        Case(name: "embed", seed: 27) { r in ([r.tensor([2, 3])], { $0[0].embedded(in: [4, 5], at: [1, 2]) }) },
        Case(name: "concat", seed: 28) { r in
            ([r.tensor([2, 3]), r.tensor([2, 1]), r.tensor([2, 2])], { Var.concatenate($0, axis: 1) })
        },
        Case(name: "roll", seed: 29) { r in ([r.tensor([2, 5, 4])], { $0[0].rolled(shifts: [-2, 3], axes: [1, 2]) }) },
        Case(name: "gather", seed: 30) { r in ([r.tensor([3, 4])], { $0[0].gathered(flatIndices: [0, 5, 5, 11, 2], shape: [5]) }) },
        Case(name: "scatterAdd", seed: 31) { r in ([r.tensor([5])], { $0[0].scatterAdded(flatIndices: [0, 5, 5, 11, 2], shape: [3, 4]) }) },
        Case(name: "matmul", seed: 32) { r in ([r.tensor([3, 4]), r.tensor([4, 2])], { $0[0].matmul($0[1]) }) },
        Case(name: "matmul Aᵀ", seed: 33) { r in ([r.tensor([4, 3]), r.tensor([4, 2])], { $0[0].matmul($0[1], transposeSelf: true) }) },
        Case(name: "matmul Bᵀ", seed: 34) { r in ([r.tensor([3, 4]), r.tensor([2, 4])], { $0[0].matmul($0[1], transposeOther: true) }) },
        Case(name: "matmul AᵀBᵀ", seed: 35) { r in
            ([r.tensor([4, 3]), r.tensor([2, 4])], { $0[0].matmul($0[1], transposeSelf: true, transposeOther: true) })
        },
        Case(name: "batched matmul Bᵀ", seed: 36) { r in
            ([r.tensor([2, 3, 4]), r.tensor([2, 5, 4])], { $0[0].matmul($0[1], transposeOther: true) })
        },
        Case(name: "batched × shared matmul", seed: 37) { r in ([r.tensor([2, 3, 4]), r.tensor([4, 2])], { $0[0].matmul($0[1]) }) },
        Case(name: "conv2d stride 2 pad 1", seed: 38) { r in
            ([r.tensor([2, 3, 5, 6]), r.tensor([2, 3, 3, 3], scale: 0.5)], { $0[0].conv2d($0[1], options: .init(stride: 2, padding: 1)) })
        },
        Case(name: "conv2d groups 2", seed: 39) { r in
            ([r.tensor([1, 4, 5, 4]), r.tensor([4, 2, 3, 2], scale: 0.5)], { $0[0].conv2d($0[1], options: .init(stride: 1, padding: 1, groups: 2)) })
        },
        Case(name: "conv2d 1×1", seed: 40) { r in
            ([r.tensor([2, 3, 3, 3]), r.tensor([2, 3, 1, 1])], { $0[0].conv2d($0[1]) })
        },
        Case(name: "conv2dBackwardInput", seed: 41) { r in
            ([r.tensor([2, 2, 3, 3]), r.tensor([2, 3, 3, 3], scale: 0.5)], {
                $0[0].conv2dBackwardInput($0[1], inputShape: [2, 3, 5, 5], options: .init(stride: 2, padding: 1))
            })
        },
        Case(name: "conv2dBackwardWeight", seed: 42) { r in
            ([r.tensor([2, 3, 5, 5]), r.tensor([2, 2, 3, 3])], {
                $0[0].conv2dBackwardWeight($0[1], weightShape: [2, 3, 3, 3], options: .init(stride: 2, padding: 1))
            })
        },
        Case(name: "maxPool2d", seed: 43) { r in ([r.separated([2, 2, 4, 6])], { $0[0].maxPool2d(.init(kernel: 2)) }) },
        Case(name: "maxPool2d k3 s2 p1", seed: 44) { r in ([r.separated([1, 2, 5, 5])], { $0[0].maxPool2d(.init(kernel: 3, stride: 2, padding: 1)) }) },
        Case(name: "avgPool2d k3 s2 p1", seed: 45) { r in ([r.tensor([2, 2, 5, 4])], { $0[0].avgPool2d(.init(kernel: 3, stride: 2, padding: 1)) }) },
        Case(name: "avgPool2dBackward", seed: 46) { r in
            ([r.tensor([1, 2, 2, 3])], { $0[0].avgPool2dBackward(inputShape: [1, 2, 4, 6], options: .init(kernel: 2)) })
        },
        Case(name: "globalAvgPool2d", seed: 47) { r in ([r.tensor([2, 3, 3, 2])], { $0[0].globalAvgPool2d() }) },
        Case(name: "logSoftmax", seed: 48) { r in ([r.tensor([3, 5])], { $0[0].logSoftmax() }) },
        Case(name: "softmax", seed: 49) { r in ([r.tensor([2, 2, 4])], { $0[0].softmax() }) },
        Case(name: "crossEntropy", seed: 50) { r in ([r.tensor([4, 3])], { $0[0].crossEntropy(labels: [0, 2, 1, 2]) }) },
        Case(name: "crossEntropy label smoothing", seed: 51) { r in
            ([r.tensor([4, 3])], { $0[0].crossEntropy(labels: [0, 2, 1, 2], labelSmoothing: 0.1) })
        },
        Case(name: "layerNorm", seed: 52) { r in
            ([r.tensor([3, 5]), r.tensor([5], scale: 0.1, offset: 1), r.tensor([5], scale: 0.1)], {
                $0[0].layerNormalized(weight: $0[1], bias: $0[2])
            })
        },
        Case(name: "normalized over N,H,W (batch norm)", seed: 53) { r in
            ([r.tensor([3, 2, 2, 2])], { $0[0].normalized(axes: [0, 2, 3], epsilon: 1e-5) })
        },
        Case(name: "normalized over the last axis, rank 3 (fused rows)", seed: 54) { r in
            ([r.tensor([2, 3, 4], scale: 2, offset: 0.5)], { $0[0].normalized(axes: [-1], epsilon: 1e-5) })
        },
        Case(name: "normalized over a middle axis (composite)", seed: 55) { r in
            ([r.tensor([3, 4, 2])], { $0[0].normalized(axes: [1], epsilon: 1e-5) })
        },
    ]

    /// L(x) = Σ R⊙op(x) + ½ Σ S⊙op(x)² with fixed random R and S.
    static func wrap(_ c: Case) -> (inputs: [Tensor], loss: ([Var]) -> Var) {
        var r = TestRandom(seed: c.seed)
        let (inputs, op) = c.make(&r)
        let outputShape = op(inputs.map(Var.init)).shape
        let weightR = Var(r.tensor(outputShape))
        let weightS = Var(r.tensor(outputShape, scale: 0.5))
        return (inputs, { x in
            let y = op(x)
            return (y * weightR).sum() + (y.squared() * weightS).sum() * 0.5
        })
    }

    @Test(arguments: cases)
    func gradientMatchesCentralDifferences(_ c: Case) throws {
        let (inputs, loss) = Self.wrap(c)
        let analytic = try valueAndGradient(at: inputs, of: loss).gradient
        let numeric = FiniteDifferences.gradient(loss, at: inputs)
        for (i, (a, n)) in zip(analytic, numeric).enumerated() {
            let error = relativeError(a, n)
            #expect(error < 1e-7, "\(c.name): input \(i) gradient relative error \(error) (seed \(c.seed))")
        }
    }

    @Test(arguments: cases)
    func hessianVectorProductMatchesDifferencesOfTheGradient(_ c: Case) throws {
        let (inputs, loss) = Self.wrap(c)
        var r = TestRandom(seed: c.seed &+ 1000)
        let v = inputs.map { r.tensor($0.shape) }
        let u = inputs.map { r.tensor($0.shape) }
        let linearization = try Linearization(at: inputs, of: loss)
        let hv = linearization.hessianVectorProduct(v)
        let numeric = try FiniteDifferences.hessianVectorProduct(loss, at: inputs, vector: v)
        for (i, (a, n)) in zip(hv, numeric).enumerated() {
            let error = relativeError(a, n)
            #expect(error < 1e-7, "\(c.name): input \(i) HVP relative error \(error) (seed \(c.seed))")
        }
        let hu = linearization.hessianVectorProduct(u)
        let uHv = zip(u, hv).reduce(0) { $0 + $1.0.dot($1.1) }
        let vHu = zip(v, hu).reduce(0) { $0 + $1.0.dot($1.1) }
        #expect(Swift.abs(uHv - vHu) <= 1e-10 * max(1, Swift.abs(uHv)), "\(c.name): uᵀHv = \(uHv) but vᵀHu = \(vHu)")
    }
}
