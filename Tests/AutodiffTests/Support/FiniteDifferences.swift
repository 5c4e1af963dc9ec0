import Autodiff
import Tensor

/// A small seeded generator for test inputs (SplitMix64), independent of the engine's RNG so
/// that a bug there cannot hide one here.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * uniform())
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    mutating func tensor(_ shape: [Int], scale: Double = 1, offset: Double = 0, dtype: DType = .float64) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in offset + scale * normal() }, dtype: dtype)
    }

    /// Values spread apart by at least `gap` (no ties for max/relu/abs kinks), random order.
    mutating func separated(_ shape: [Int], gap: Double = 0.05) -> Tensor {
        let n = Shape.count(shape)
        var values = (0..<n).map { Double($0) * gap - Double(n) * gap / 2 + gap / 4 }
        for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, int(0...i)) }
        return Tensor(shape: shape, scalars: values, dtype: .float64)
    }
}

import Foundation

/// Central finite differences in Float64, the oracle for first and second derivatives.
enum FiniteDifferences {
    /// f evaluated on constants (no tape): the oracle never uses the code under test's gradients.
    static func evaluate(_ f: ([Var]) -> Var, _ point: [Tensor]) -> Double {
        f(point.map(Var.init)).value.scalarValue
    }

    /// ∂f/∂point by central differences with step h, per element.
    static func gradient(_ f: ([Var]) -> Var, at point: [Tensor], step h: Double = 1e-6) -> [Tensor] {
        point.indices.map { i in
            var values = point[i].doubles
            var result = [Double](repeating: 0, count: values.count)
            for j in values.indices {
                let saved = values[j]
                values[j] = saved + h
                let up = evaluate(f, replacing(point, i, values))
                values[j] = saved - h
                let down = evaluate(f, replacing(point, i, values))
                values[j] = saved
                result[j] = (up - down) / (2 * h)
            }
            return Tensor(shape: point[i].shape, scalars: result, dtype: .float64)
        }
    }

    /// H·v as the Richardson-extrapolated central difference of the analytic gradient along v:
    /// (4·D(h/2) − D(h)) / 3 with D(h) = (∇f(x + hv) − ∇f(x − hv)) / 2h, error O(h⁴).
    static func hessianVectorProduct(_ f: ([Var]) -> Var, at point: [Tensor], vector: [Tensor], step h: Double = 1e-3)
        throws -> [Tensor]
    {
        func difference(_ h: Double) throws -> [[Double]] {
            let up = try valueAndGradient(at: shifted(point, vector, h), of: f).gradient
            let down = try valueAndGradient(at: shifted(point, vector, -h), of: f).gradient
            return zip(up, down).map { u, d in zip(u.doubles, d.doubles).map { ($0 - $1) / (2 * h) } }
        }
        let coarse = try difference(h)
        let fine = try difference(h / 2)
        return point.indices.map { i in
            Tensor(shape: point[i].shape, scalars: zip(fine[i], coarse[i]).map { (4 * $0 - $1) / 3 }, dtype: .float64)
        }
    }

    static func shifted(_ point: [Tensor], _ direction: [Tensor], _ h: Double) -> [Tensor] {
        zip(point, direction).map { p, d in p + d * h }
    }

    private static func replacing(_ point: [Tensor], _ i: Int, _ values: [Double]) -> [Tensor] {
        var copy = point
        copy[i] = Tensor(shape: point[i].shape, scalars: values, dtype: .float64)
        return copy
    }
}
