import Autodiff
import Tensor
import Testing

/// The three tiny networks against JAX (tools/gen_goldens.py, float64): logits, loss, every
/// parameter gradient, and H·v for a fixed v over all parameters jointly.
struct GoldenNetTests {
    struct NetCase: CustomTestStringConvertible, Sendable {
        let name: String
        let names: [String]
        let logits: @Sendable (Var, [Var]) -> Var
        var testDescription: String { name }

        func golden(_ nets: GoldenNets) -> GoldenNet {
            switch name {
            case "mlp": return nets.mlp
            case "cnn": return nets.cnn
            default: return nets.attention
            }
        }
    }

    static let nets: [NetCase] = [
        NetCase(name: "mlp", names: TinyNets.mlpNames, logits: TinyNets.mlp),
        NetCase(name: "cnn", names: TinyNets.cnnNames, logits: TinyNets.cnn),
        NetCase(name: "attention", names: TinyNets.attentionNames, logits: { TinyNets.attention($0, $1) }),
    ]

    @Test(arguments: nets)
    func float64MatchesJAX(_ net: NetCase) throws {
        let golden = net.golden(try Goldens.load("nets", as: GoldenNets.self))
        let params = net.names.map { golden.params[$0]!.tensor }
        let logits = net.logits(Var(golden.input.tensor), params.map(Var.init)).value
        #expect(relativeError(logits, golden.logits.tensor) < 1e-12, "\(net.name) logits")

        let loss = TinyNets.loss(golden, names: net.names, logits: net.logits)
        let linearization = try Linearization(at: params, of: loss)
        #expect(Swift.abs(linearization.value - golden.loss) <= 1e-12 * Swift.abs(golden.loss), "\(net.name) loss")
        for (name, gradient) in zip(net.names, linearization.gradient) {
            let error = relativeError(gradient, golden.grads[name]!.tensor)
            #expect(error < 1e-10, "\(net.name) gradient of \(name): relative error \(error)")
        }
        let v = net.names.map { golden.v[$0]!.tensor }
        let hv = linearization.hessianVectorProduct(v)
        for (name, product) in zip(net.names, hv) {
            let error = relativeError(product, golden.hvp[name]!.tensor)
            #expect(error < 1e-10, "\(net.name) H·v for \(name): relative error \(error)")
        }
        let vHv = zip(v, hv).reduce(0) { $0 + $1.0.dot($1.1) }
        #expect(Swift.abs(vHv - golden.vHv) <= 1e-10 * Swift.abs(golden.vHv), "\(net.name) vᵀHv \(vHv) vs \(golden.vHv)")
    }

    @Test(arguments: nets)
    func float32StaysWithinSinglePrecisionOfJAX(_ net: NetCase) throws {
        let golden = net.golden(try Goldens.load("nets", as: GoldenNets.self))
        let params = net.names.map { golden.params[$0]!.tensor.converted(to: .float32) }
        let x = Var(golden.input.tensor.converted(to: .float32))
        let loss: ([Var]) -> Var = { p in net.logits(x, p).crossEntropy(labels: golden.labels) }
        let linearization = try Linearization(at: params, of: loss)
        #expect(Swift.abs(linearization.value - golden.loss) <= 1e-5 * Swift.abs(golden.loss), "\(net.name) float32 loss")
        for (name, gradient) in zip(net.names, linearization.gradient) {
            let error = relativeError(gradient.converted(to: .float64), golden.grads[name]!.tensor)
            #expect(error < 1e-4, "\(net.name) float32 gradient of \(name): relative error \(error)")
        }
        let hv = linearization.hessianVectorProduct(net.names.map { golden.v[$0]!.tensor.converted(to: .float32) })
        for (name, product) in zip(net.names, hv) {
            let error = relativeError(product.converted(to: .float64), golden.hvp[name]!.tensor)
            #expect(error < 1e-4, "\(net.name) float32 H·v for \(name): relative error \(error)")
        }
    }
}
