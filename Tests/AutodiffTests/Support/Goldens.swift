import Foundation
import Tensor

/// A tensor as stored in the golden JSON files: shape plus row-major float64 data.
struct GoldenTensor: Decodable {
    let shape: [Int]
    let data: [Double]

    var tensor: Tensor { Tensor(shape: shape, scalars: data, dtype: .float64) }
}

/// Reads a golden file written by tools/gen_goldens.py (JAX, float64).
enum Goldens {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Goldens") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Goldens/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// One network of nets.json.
struct GoldenNet: Decodable {
    let description: String
    let input: GoldenTensor
    let labels: [Int]
    let params: [String: GoldenTensor]
    let loss: Double
    let logits: GoldenTensor
    let grads: [String: GoldenTensor]
    let v: [String: GoldenTensor]
    let hvp: [String: GoldenTensor]
    let vHv: Double
}

struct GoldenNets: Decodable {
    let generator: String
    let mlp: GoldenNet
    let cnn: GoldenNet
    let attention: GoldenNet
}

/// One case of primitives.json.
struct GoldenPrimitive: Decodable {
    let name: String
    let op: String
    let attributes: Attributes
    let inputs: [GoldenTensor]
    let output: GoldenTensor
    let cotangent: GoldenTensor
    let input_grads: [GoldenTensor]

    struct Attributes: Decodable {
        let stride: Int?
        let padding: Int?
        let groups: Int?
        let kernel_size: Int?
        let shifts: [Int]?
        let axes: [Int]?
        let labels: [Int]?
        let eps: Double?
        let keepdims: Bool?
    }
}

struct GoldenPrimitives: Decodable {
    let generator: String
    let cases: [GoldenPrimitive]
}

/// Largest |a − b| divided by the largest |b| (0 when both are zero).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    var diff = 0.0
    var scale = 0.0
    for (x, y) in zip(a, b) {
        diff = max(diff, abs(x - y))
        scale = max(scale, abs(y))
    }
    return scale == 0 ? diff : diff / scale
}

func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "compared shapes differ: \(a.shape) vs \(b.shape)")
    return relativeError(a.doubles, b.doubles)
}
