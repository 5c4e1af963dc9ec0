import Foundation
import PluginHost
import Testing

/// The base optimizers against direct transcriptions of PyTorch's update rules, and every
/// optimizer's convergence on a line fit in Float32.
struct BaseOptimizerTests {
    static let q = Problem.quadratic([3, 2, 0.5])
    static let w0 = [1.0, -2.0, 0.5]

    /// torch.optim.SGD: d += λw; buf = d (first) or μ·buf + (1 − τ)·d; d = d + μ·buf (Nesterov) or buf.
    func referenceSGD(lr: Double, momentum: Double, dampening: Double, decay: Double, nesterov: Bool, steps: Int) -> [Double] {
        var w = Self.w0, buf = [Double](repeating: 0, count: w.count)
        for t in 1...steps {
            let g = Self.q.gradient(w)
            for i in w.indices {
                var d = g[i] + decay * w[i]
                if momentum != 0 {
                    buf[i] = t == 1 ? d : momentum * buf[i] + (1 - dampening) * d
                    d = nesterov ? d + momentum * buf[i] : buf[i]
                }
                w[i] -= lr * d
            }
        }
        return w
    }

    /// torch.optim.Adam / AdamW.
    func referenceAdam(lr: Double, decay: Double, decoupled: Bool, steps: Int) -> [Double] {
        var w = Self.w0, m = [Double](repeating: 0, count: 3), v = m
        let (b1, b2, eps) = (0.9, 0.999, 1e-8)
        for t in 1...steps {
            let g = Self.q.gradient(w)
            for i in w.indices {
                if decoupled { w[i] *= 1 - lr * decay }
                let d = g[i] + (decoupled ? 0 : decay * w[i])
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                let mh = m[i] / (1 - pow(b1, Double(t))), vh = v[i] / (1 - pow(b2, Double(t)))
                w[i] -= lr * mh / (vh.squareRoot() + eps)
            }
        }
        return w
    }

    @Test(arguments: [(0.0, 0.0, 0.0, false), (0.9, 0.0, 0.0, false), (0.9, 0.3, 1e-2, false), (0.9, 0.0, 1e-2, true)])
    func sgdMatchesPyTorchRule(_ momentum: Double, _ dampening: Double, _ decay: Double, _ nesterov: Bool) throws {
        var r = try Run("sgd", ["momentum": n(momentum), "dampening": n(dampening), "weight_decay": n(decay), "nesterov": .boolean(nesterov)],
                        learningRate: 0.05, w0: Self.w0, problem: Self.q)
        try r.step(5)
        let expected = referenceSGD(lr: 0.05, momentum: momentum, dampening: dampening, decay: decay, nesterov: nesterov, steps: 5)
        #expect(maxDifference(r.w, expected) < 1e-14)
    }

    @Test(arguments: [("adam", 0.0), ("adam", 0.1), ("adamw", 0.01), ("adamw", 0.3)])
    func adamMatchesPyTorchRule(_ name: String, _ decay: Double) throws {
        var r = try Run(name, ["weight_decay": n(decay)], learningRate: 0.01, w0: Self.w0, problem: Self.q)
        try r.step(6)
        #expect(maxDifference(r.w, referenceAdam(lr: 0.01, decay: decay, decoupled: name == "adamw", steps: 6)) < 1e-14)
    }

    @Test func nesterovWithoutMomentumIsRefused() {
        #expect(throws: PluginHostError.self) { try Run("sgd", ["nesterov": .boolean(true)], w0: Self.w0, problem: Self.q) }
    }

    /// Fit y = 2x − 1 on 16 points (mean squared error) in Float32 through the host: every optimizer,
    /// wrappers over Adam, drives the loss below 1e-3 within 400 steps.
    @Test(arguments: ["sgd", "adam", "adamw", "sam", "asam", "gsam", "wsam", "crsam"])
    func fitsALineInFloat32(_ name: String) throws {
        let xs = (0..<16).map { Float($0) / 8 - 1 }
        let ys = xs.map { 2 * $0 - 1 }
        let layout = [ParameterLayoutEntry(name: "line.weight", shape: [1]), ParameterLayoutEntry(name: "line.bias", shape: [1])]
        let hp: [String: HyperparameterValue] = name == "sgd" ? ["momentum": n(0.9)] : name == "adamw" ? ["weight_decay": n(0)] : [:]
        let optimizer = try LoadedOptimizer(registry: builtins, name: name, layout: layout, hyperparameters: hp)
        optimizer.learningRate = name == "sgd" ? 0.05 : 0.02
        var w: [Float] = [0, 0]
        var loss = 0.0
        for _ in 0..<400 {
            loss = try w.withUnsafeMutableBufferPointer { wp in
                try optimizer.step(parameters: wp) { p, g, _ in
                    var (l, ga, gb) = (Float(0), Float(0), Float(0))
                    for (x, y) in zip(xs, ys) {
                        let r = p[0] * x + p[1] - y
                        l += r * r; ga += 2 * r * x; gb += 2 * r
                    }
                    let k = Float(xs.count)
                    g[0] = ga / k; g[1] = gb / k
                    return Double(l / k)
                }.loss
            }
        }
        #expect(loss < 1e-3, "\(optimizer.compositeName) ended at loss \(loss), w = \(w)")
    }
}
