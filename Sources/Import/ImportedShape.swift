import NN
import Tensor

/// The model configuration an imported file implies: input channels from the first
/// convolution's weight `[out, channels, k, k]`, classes from the head (the model's last matrix
/// parameter, `[classes, features]`), and the input size where the weights fix it (a ViT's
/// position embedding, an MLP's first layer). A flag that says otherwise is an error; a flag is
/// needed only where the weights are silent.
struct ImportedShape {
    var channels: Int
    var classes: Int
    var imageSize: Int
    /// What was inferred, one line each.
    var notes: [String]

    static func infer(name: String, weights: ForeignWeights, request: CheckpointImporter.Request) throws -> ImportedShape {
        let defaultSize = request.imageSize ?? (ModelZoo.isFullSize(name) ? 224 : 64)
        let probe = try ModelZoo.build(
            ModelConfiguration(name: name, inputChannels: request.channels ?? 1, inputSize: defaultSize, classes: 2),
            initialized: false)
        let parameters = probe.entries.filter { $0.kind == .parameter }
        var notes: [String] = []

        var channels = request.channels ?? 1
        if let stem = parameters.first(where: { $0.shape.count == 4 }), let stemWeight = weights[stem.name], stemWeight.rank == 4 {
            if let given = request.channels, given != stemWeight.shape[1] {
                throw ImportError.inconsistent(
                    "\(request.weights): --channels \(given), but '\(stem.name)' \(stemWeight.shape) takes \(stemWeight.shape[1])")
            }
            channels = stemWeight.shape[1]
            if request.channels == nil { notes.append("input channels: \(channels), from '\(stem.name)' \(stemWeight.shape)") }
        }

        guard let head = parameters.last(where: { $0.shape.count == 2 }), let headWeight = weights[head.name], headWeight.rank == 2 else {
            // No usable head: list what does not fit, against the model with the file's channels.
            let listed = try ModelZoo.build(
                ModelConfiguration(name: name, inputChannels: channels, inputSize: defaultSize, classes: 2), initialized: false)
            _ = try weights.stateDict(for: listed, path: request.weights)
            throw ImportError.mismatch(path: request.weights, model: name, details: "no head weight of rank 2", suggestion: nil)
        }
        let classes = headWeight.shape[0]
        if let given = request.classes, given != classes {
            throw ImportError.inconsistent(
                "\(request.weights): --classes \(given), but the head '\(head.name)' has \(classes) outputs \(headWeight.shape)")
        }
        if request.classes == nil { notes.insert("classes: \(classes), from '\(head.name)' \(headWeight.shape)", at: 0) }

        var imageSize = defaultSize
        if let fixed = try fixedInputSize(name: name, weights: weights, channels: channels, path: request.weights) {
            if let given = request.imageSize, given != fixed.size {
                throw ImportError.inconsistent("\(request.weights): \(request.imageSizeFlag) sets \(given), but \(fixed.reason) fixes \(fixed.size)")
            }
            imageSize = fixed.size
            if request.imageSize == nil { notes.append("input size: \(imageSize)×\(imageSize), from \(fixed.reason)") }
        }
        return ImportedShape(channels: channels, classes: classes, imageSize: imageSize, notes: notes)
    }

    /// The input size the weights fix, with what fixes it; nil when any size works.
    static func fixedInputSize(name: String, weights: ForeignWeights, channels: Int, path: String) throws
        -> (size: Int, reason: String)?
    {
        if let positions = weights["encoder.pos_embedding"], positions.rank == 3, let patch = weights["conv_proj.weight"],
            patch.rank == 4
        {
            let tokens = positions.shape[1] - 1
            let grid = Int(Double(tokens).squareRoot().rounded())
            guard tokens > 0, grid * grid == tokens else {
                throw ImportError.inconsistent(
                    "\(path): 'encoder.pos_embedding' \(positions.shape) is not a square grid of patches plus a class token")
            }
            return (grid * patch.shape[2], "'encoder.pos_embedding' \(positions.shape) with \(patch.shape[2])×\(patch.shape[2]) patches")
        }
        if name == "mlp", let first = weights["fc1.weight"], first.rank == 2 {
            let pixels = first.shape[1] / max(channels, 1)
            let side = Int(Double(pixels).squareRoot().rounded())
            guard side * side * channels == first.shape[1] else {
                throw ImportError.inconsistent(
                    "\(path): 'fc1.weight' \(first.shape) does not take a square \(channels)-channel image"
                        + (channels == 1 ? "; for RGB input pass --channels 3" : ""))
            }
            return (side, "'fc1.weight' \(first.shape)")
        }
        return nil
    }
}
