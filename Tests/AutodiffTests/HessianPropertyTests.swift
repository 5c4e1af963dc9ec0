import Autodiff
import Tensor
import Testing

/// Closed-form and structural properties of the exact Hessian-vector product.
struct HessianPropertyTests {
    /// f(x) = ½ xᵀAx with symmetric A has H = A, so H·v must equal A·v to rounding.
    @Test(arguments: [1, 7, 40])
    func quadraticFormHessianTimesVectorIsAv(_ n: Int) throws {
        var r = TestRandom(seed: UInt64(n))
        let b = r.tensor([n, n])
        let a = (b + b.permuted([1, 0])) * 0.5
        let x = r.tensor([n, 1])
        let v = r.tensor([n, 1])
        let f: ([Var]) -> Var = { p in (p[0] * Var(a).matmul(p[0])).sum() * 0.5 }
        let result = try hessianVectorProduct(at: [x], vector: [v], of: f)
        let av = a.matmul(v)
        #expect(relativeError(result.product[0], av) < 1e-14, "H·v vs A·v")
        #expect(relativeError(result.gradient[0], a.matmul(x)) < 1e-14, "∇f vs A·x")
        #expect(Swift.abs(result.value - 0.5 * x.dot(a.matmul(x))) <= 1e-13 * max(1, Swift.abs(result.value)))
    }

    /// A reused linearization gives the same products as computing each from scratch, and the
    /// tape does not grow with the number of products.
    @Test func reusedLinearizationMatchesFreshProducts() throws {
        var r = TestRandom(seed: 99)
        let params = [r.tensor([6, 4], scale: 0.5), r.tensor([6]), r.tensor([3, 6], scale: 0.5), r.tensor([3])]
        let x = Var(r.tensor([5, 4]))
        let f: ([Var]) -> Var = { p in
            x.linear(weight: p[0], bias: p[1]).gelu().linear(weight: p[2], bias: p[3]).crossEntropy(labels: [0, 1, 2, 1, 0])
        }
        let linearization = try Linearization(at: params, of: f)
        for trial in 0..<3 {
            let v = params.map { r.tensor($0.shape) }
            let reused = linearization.hessianVectorProduct(v)
            let fresh = try hessianVectorProduct(at: params, vector: v, of: f).product
            for (a, b) in zip(reused, fresh) { #expect(a.doubles == b.doubles, "trial \(trial): reused and fresh products differ") }
        }
        #expect(linearization.productCount == 3)
    }

    /// The same on a convolutional net with biases and ReLU: a product from scratch takes B(x, v)
    /// from the first sweep (`Var.weightGradient`), and the second sweep folds convolutions and
    /// bias broadcasts into running cotangents in place; none of it may change a bit of the result.
    @Test(arguments: [DType.float64, .float32])
    func reusedLinearizationMatchesFreshProductsOnAConvNet(_ dtype: DType) throws {
        var r = TestRandom(seed: 17)
        let shapes = [[4, 2, 3, 3], [4], [6, 4, 3, 3], [6], [3, 6 * 4 * 4], [3]]
        let params = shapes.map { r.tensor($0, scale: 0.4).converted(to: dtype) }
        let x = Var(r.tensor([3, 2, 8, 8]).converted(to: dtype))
        let f: ([Var]) -> Var = { p in
            let c1 = x.conv2d(p[0], options: .init(stride: 1, padding: 1)) + p[1].reshaped([1, -1, 1, 1])
            let h1 = c1.relu()
            let c2 = h1.conv2d(p[2], options: .init(stride: 2, padding: 1)) + p[3].reshaped([1, -1, 1, 1])
            let h2 = c2.relu().sum(axes: [1], keepingDimensions: true) * 0.1 + c2
            return h2.reshaped([3, -1]).linear(weight: p[4], bias: p[5]).crossEntropy(labels: [0, 2, 1])
        }
        let linearization = try Linearization(at: params, of: f)
        for trial in 0..<2 {
            let v = params.map { r.tensor($0.shape).converted(to: dtype) }
            let reused = linearization.hessianVectorProduct(v)
            let fresh = try hessianVectorProduct(at: params, vector: v, of: f)
            for (a, b) in zip(reused, fresh.product) { #expect(a.doubles == b.doubles, "trial \(trial): reused and fresh products differ") }
            #expect(v.allSatisfy { $0.isFinite }, "the direction is left untouched")
        }
        if dtype == .float64 {
            let v = params.map { r.tensor($0.shape) }
            let exact = try hessianVectorProduct(at: params, vector: v, of: f).product
            let numeric = try FiniteDifferences.hessianVectorProduct(f, at: params, vector: v, step: 1e-4)
            for (e, n) in zip(exact, numeric) { #expect(relativeError(e, n) < 1e-7, "H·v vs differences of the gradient") }
        }
    }

    /// Linear functions have a zero Hessian; a function independent of an argument has zero
    /// gradient and zero H·v for it.
    @Test func zeroCurvatureAndUnusedArguments() throws {
        var r = TestRandom(seed: 5)
        let w = r.tensor([3, 2])
        let unused = r.tensor([4])
        let f: ([Var]) -> Var = { p in (p[0] * 3).sum() }
        let result = try hessianVectorProduct(at: [w, unused], vector: [r.tensor([3, 2]), r.tensor([4])], of: f)
        #expect(result.product[0].doubles.allSatisfy { $0 == 0 })
        #expect(result.product[1].doubles.allSatisfy { $0 == 0 })
        #expect(result.gradient[1].doubles.allSatisfy { $0 == 0 })
        #expect(result.gradient[0].doubles.allSatisfy { $0 == 3 })
    }

    /// grad(grad(f)) on a scalar function: f(x) = x³ sin-free polynomial, f'' = 6x.
    @Test func secondDerivativeOfAScalarPolynomial() throws {
        let x = Tensor(shape: [], scalars: [1.5], dtype: .float64)
        let result = try hessianVectorProduct(at: [x], vector: [Tensor(shape: [], scalars: [1.0], dtype: .float64)]) { p in
            p[0] * p[0] * p[0] + p[0].squared() * 2
        }
        #expect(result.value == 1.5 * 1.5 * 1.5 + 2 * 2.25)
        #expect(result.gradient[0].scalarValue == 3 * 2.25 + 4 * 1.5)
        #expect(result.product[0].scalarValue == 6 * 1.5 + 4)
    }

    @Test func nonFiniteLossIsReportedNotReturned() {
        let x = Tensor(shape: [2], scalars: [1.0, -1.0], dtype: .float64)
        #expect {
            _ = try valueAndGradient(at: [x]) { p in p[0].sqrt().sum() }
        } throws: { error in
            guard case AutodiffError.nonFiniteValue(let value) = error else { return false }
            return value.isNaN
        }
        do {
            _ = try valueAndGradient(at: [x]) { p in p[0].log().sum() }
            Issue.record("log of a negative number must not produce a loss")
        } catch {
            #expect("\(error)".contains("not finite"))
        }
    }
}

