import Foundation
import TestSupport

/// The committed outputs of tools/gen_import_goldens.py, and the weights files built from them.
enum ImportFixtures {
    struct Goldens: Decodable {
        var generator: String
        var models: [String: Model]
    }

    struct Model: Decodable {
        var model: String
        var flags: [String]
        var parameters: Int
        var loss: Double
        var gradientNorm: Double
        var hvp: Product
        var lambdaMax: Double
        var recipes: [Recipe]
        enum CodingKeys: String, CodingKey {
            case model, flags, parameters, loss, hvp, recipes
            case gradientNorm = "gradient_norm", lambdaMax = "lambda_max"
        }
    }

    struct Product: Decodable {
        var directionSeed: UInt64
        var norm: Double
        var dotDirection: Double
        var indices: [Int]
        var values: [Double]
        enum CodingKeys: String, CodingKey {
            case norm, indices, values
            case directionSeed = "direction_seed", dotDirection = "dot_direction"
        }
    }

    /// A tensor the file leaves out: `scale · unitUniform(seed)` as float32.
    struct Recipe: Decodable {
        var name: String
        var shape: [Int]
        var seed: UInt64
        var scale: Double
    }

    static func path(_ file: String) -> String {
        Bundle.module.url(forResource: "Fixtures/\(file)", withExtension: nil)!.path
    }

    static func goldens() throws -> Goldens {
        try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: URL(fileURLWithPath: path("goldens.json"))))
    }

    static func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "sharp-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The model's weights file in `folder`: the fixture as PyTorch wrote it, with the recipe
    /// tensors appended as F32 entries under the file's own key prefix (its header is rewritten;
    /// every stored tensor keeps its bytes and dtype).
    static func weightsFile(_ name: String, golden: Model, in folder: String) throws -> String {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("\(name).safetensors"))))
        let output = "\(folder)/\(name).safetensors"
        guard !golden.recipes.isEmpty else {
            try Data(original).write(to: URL(fileURLWithPath: output))
            return output
        }
        let file = try rewritingHeader(original) { header, data in
            let prefix = header.keys.contains { $0.hasPrefix("module.") } ? "module." : ""
            for recipe in golden.recipes {
                let count = recipe.shape.reduce(1, *)
                let values = SplitMixRecipe.unitUniform(seed: recipe.seed, count: count).map { Float(recipe.scale * $0) }
                let begin = data.count
                values.withUnsafeBytes { data.append(contentsOf: $0) }
                header[prefix + recipe.name] = ["dtype": "F32", "shape": recipe.shape, "data_offsets": [begin, data.count]]
            }
        }
        try Data(file).write(to: URL(fileURLWithPath: output))
        return output
    }

    /// A safetensors file with its header (and data section) changed by `change`; stored
    /// tensors keep their bytes.
    static func rewritingHeader(_ original: [UInt8], _ change: (inout [String: Any], inout [UInt8]) -> Void) throws -> [UInt8] {
        let headerLength = original[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try JSONSerialization.jsonObject(with: Data(original[8..<(8 + headerLength)])) as! [String: Any]
        var data = Array(original[(8 + headerLength)...])
        change(&header, &data)
        var headerBytes = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        return (0..<8).map { UInt8(truncatingIfNeeded: headerBytes.count >> (8 * $0)) } + headerBytes + data
    }
}
