import Autodiff
import Tensor
import Testing

/// Exact Hessian-vector products checked against Hessians formed explicitly: every column
/// H·eⱼ from Richardson-extrapolated central differences of the analytic gradient (Float64),
/// on the tiny MLP, CNN and attention nets, to 1e-8 relative.
struct ExplicitHessianTests {
    @Test(arguments: GoldenNetTests.nets)
    func everyHessianColumnMatchesDifferencesOfTheGradient(_ net: GoldenNetTests.NetCase) throws {
        let golden = net.golden(try Goldens.load("nets", as: GoldenNets.self))
        let params = net.names.map { golden.params[$0]!.tensor }
        let loss = TinyNets.loss(golden, names: net.names, logits: net.logits)
        let linearization = try Linearization(at: params, of: loss)
        let sizes = params.map(\.count)
        let total = sizes.reduce(0, +)

        var worst = 0.0
        var scale = 0.0
        var hessian = [[Double]]()  // columns
        for column in 0..<total {
            let basis = unitVector(column, sizes: sizes, shapes: params.map(\.shape))
            let exact = linearization.hessianVectorProduct(basis).flatMap(\.doubles)
            let numeric = try FiniteDifferences.hessianVectorProduct(loss, at: params, vector: basis, step: 1e-4)
                .flatMap(\.doubles)
            for (e, n) in zip(exact, numeric) {
                worst = max(worst, Swift.abs(e - n))
                scale = max(scale, Swift.abs(n))
            }
            hessian.append(numeric)
        }
        #expect(worst / scale <= 1e-8, "\(net.name): max |H_exact − H_fd| / max|H| = \(worst / scale) over \(total)² entries")

        // The explicitly formed Hessian is symmetric to finite-difference accuracy, and H·v from
        // the matrix equals the engine's product for the golden direction.
        var asymmetry = 0.0
        for i in 0..<total { for j in 0..<i { asymmetry = max(asymmetry, Swift.abs(hessian[i][j] - hessian[j][i])) } }
        #expect(asymmetry / scale <= 1e-8, "\(net.name): explicit Hessian asymmetry \(asymmetry / scale)")
        let v = net.names.flatMap { golden.v[$0]!.data }
        let matrixTimesV = (0..<total).map { row in (0..<total).reduce(0.0) { $0 + hessian[$1][row] * v[$1] } }
        let engine = linearization.hessianVectorProduct(net.names.map { golden.v[$0]!.tensor }).flatMap(\.doubles)
        #expect(relativeError(engine, matrixTimesV) <= 1e-8, "\(net.name): H·v vs explicit matrix")
    }

    private func unitVector(_ index: Int, sizes: [Int], shapes: [[Int]]) -> [Tensor] {
        var offset = 0
        return zip(sizes, shapes).map { size, shape in
            var values = [Double](repeating: 0, count: size)
            if index >= offset && index < offset + size { values[index - offset] = 1 }
            offset += size
            return Tensor(shape: shape, scalars: values, dtype: .float64)
        }
    }
}
