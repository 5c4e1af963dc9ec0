import Foundation
import PluginHost
import PluginKit
import Testing

/// The optimizer's own cost per step on a 1M-parameter quadratic (Float32): time of plugin steps
/// through the host minus the time of the bare gradient passes they make. Prints a table; runs
/// only with SHARP_PLUGIN_BENCH=1 (timings are not assertions on a shared machine).
struct StepOverheadBenchmark {
    static let count = 1 << 20
    static let a: [Float] = (0..<count).map { 0.5 + Float($0 % 13) / 4 }

    /// g = a⊙w and ½Σaw²: one read of w and a, one write of g (a memory-bound "gradient pass").
    static func gradient(_ p: UnsafeBufferPointer<Float>, _ g: UnsafeMutableBufferPointer<Float>) -> Double {
        a.withUnsafeBufferPointer { ap in
            var loss: Float = 0
            for i in 0..<count {
                let gi = ap[i] * p[i]
                g[i] = gi
                loss += gi * p[i]
            }
            return Double(loss) / 2
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHARP_PLUGIN_BENCH"] == "1"))
    func optimizerOverheadOverBareGradientPasses() throws {
        let steps = 40
        var w = [Float](repeating: 0.5, count: Self.count), g = w
        var sink = 0.0  // uses every loss, so no loop below can drop the loss reduction
        defer { print("(sink \(sink))") }
        // Every figure is the best of 7 rounds of `steps` steps (the first rounds warm up).
        func best(_ body: () throws -> Void) rethrows -> Double {
            var best = Double.infinity
            for _ in 0..<7 { best = min(best, try Self.seconds { for _ in 0..<steps { try body() } } / Double(steps)) }
            return best
        }
        let bare = best { w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { gp in sink += Self.gradient(wp, gp) } } }
        print(String(format: "bare gradient pass, %d parameters: %.3f ms", Self.count, bare * 1e3))
        // The same steps written directly against PluginKit's kernels (no plugin, no ABI): what the
        // optimizer's arithmetic costs by itself, so the table separates it from the boundary's cost.
        var m = w, v = w, point = w
        let adam = { (w: UnsafeMutableBufferPointer<Float>, m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>,
                      d: UnsafeBufferPointer<Float>) in
            Float.adamUpdate(w, m: m, v: v, direction: d, AdamCoefficients(learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 3))
        }
        var direct: [String: Double] = [:]
        direct["sgd"] = best {
            w.withUnsafeMutableBufferPointer { wp in g.withUnsafeMutableBufferPointer { gp in
                sink += Self.gradient(UnsafeBufferPointer(wp), gp)
                Float.sgdUpdate(wp, momentum: nil, direction: UnsafeBufferPointer(gp), SGDCoefficients(learningRate: 1e-4, firstStep: true))
            } }
        }
        direct["adam"] = best {
            w.withUnsafeMutableBufferPointer { wp in g.withUnsafeMutableBufferPointer { gp in m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    sink += Self.gradient(UnsafeBufferPointer(wp), gp)
                    adam(wp, mp, vp, UnsafeBufferPointer(gp))
                } } } }
        }
        direct["sam+adam"] = best {
            w.withUnsafeMutableBufferPointer { wp in g.withUnsafeMutableBufferPointer { gp in m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in point.withUnsafeMutableBufferPointer { pp in
                    sink += Self.gradient(UnsafeBufferPointer(wp), gp)
                    let norm = FlatMath.norm(UnsafeBufferPointer(gp))
                    FlatMath.perturbedPoint(into: pp, weights: UnsafeBufferPointer(wp), direction: UnsafeBufferPointer(gp), scale: 0.05 / (norm + 1e-12))
                    sink += Self.gradient(UnsafeBufferPointer(pp), gp)
                    adam(wp, mp, vp, UnsafeBufferPointer(gp))
                } } } } }
        }
        print("optimizer      passes  step ms  passes ms  optimizer ms  / passes  direct ms  boundary ms")
        // Steps through the plugins (the boundary: descriptor vtable, C callbacks, Swift boxes).
        let only = ProcessInfo.processInfo.environment["SHARP_PLUGIN_BENCH_ONLY"]
        for (name, base) in [("sgd", nil), ("adam", nil), ("sam", "adam"), ("asam", "adam"), ("gsam", "adam"), ("wsam", "adam"), ("crsam", "adam")] as [(String, String?)]
        where only == nil || only == name {
            let o = try LoadedOptimizer(registry: builtins, name: name, base: base, layout: [.init(name: "w", shape: [Self.count])])
            o.learningRate = 1e-4
            var passes = 0
            let best = try best {
                passes = try w.withUnsafeMutableBufferPointer { wp in try o.step(parameters: wp) { p, g, _ in Self.gradient(p, g) }.passes }
            }
            let overhead = best - Double(passes) * bare
            let same = direct[o.compositeName].map { String(format: "%9.3f  %11.3f", $0 * 1e3, (best - $0) * 1e3) } ?? ""
            print(String(format: "%-13@  %6d  %7.3f  %9.3f  %12.3f  %7.0f%%  ", o.compositeName, passes, best * 1e3, Double(passes) * bare * 1e3,
                         overhead * 1e3, 100 * overhead / (Double(passes) * bare)) + same)
        }
    }
}
