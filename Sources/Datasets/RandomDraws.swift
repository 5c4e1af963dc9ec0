import Tensor

/// A fixed block of random numbers for one phantom, consumed in order.
///
/// Each image draws its scalars from its own Philox stream in one go, so an image depends only
/// on (seed, image index), never on the thread that renders it or on the images before it.
struct RandomDraws {
    private let uniforms: [Double]
    private let normals: [Double]
    private var nextUniform = 0
    private var nextNormal = 0

    /// `uniformCount` uniforms in [0, 1) and `normalCount` standard normals from `rng`.
    init(_ rng: inout RandomGenerator, uniformCount: Int, normalCount: Int) {
        uniforms = rng.uniform(shape: [uniformCount], dtype: .float64).doubles
        normals = rng.normal(shape: [normalCount], dtype: .float64).doubles
    }

    /// A uniform value in [low, high).
    mutating func uniform(_ low: Double = 0, _ high: Double = 1) -> Double {
        precondition(nextUniform < uniforms.count, "bus-synth: phantom needs more than \(uniforms.count) uniforms")
        defer { nextUniform += 1 }
        return low + (high - low) * uniforms[nextUniform]
    }

    /// A standard normal value.
    mutating func normal() -> Double {
        precondition(nextNormal < normals.count, "bus-synth: phantom needs more than \(normals.count) normals")
        defer { nextNormal += 1 }
        return normals[nextNormal]
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }
}

/// Standard normal `Float`s drawn in pieces small enough that `RandomGenerator` fills each on
/// the calling thread (phantoms are already rendered in parallel; nesting would only add
/// overhead). The pieces are fixed, so the values depend only on the generator's state.
func normalFloats(_ count: Int, _ rng: inout RandomGenerator) -> [Float] {
    var values: [Float] = []
    values.reserveCapacity(count)
    let piece = 4000  // 1000 Philox blocks: below `Parallel.minimumWorkPerThread` at cost 32
    var remaining = count
    while remaining > 0 {
        let n = min(piece, remaining)
        let t = rng.normal(shape: [n], dtype: .float32)
        values.append(contentsOf: UnsafeBufferPointer(start: t.pointer(Float.self), count: n))
        remaining -= n
    }
    return values
}
