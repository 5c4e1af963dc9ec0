import ArgumentParser
import CommandLineSupport
import Datasets
import Foundation
import Import
import NN

/// `sharp import`: a PyTorch state dict, saved as safetensors, into a checkpoint in a store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import PyTorch weights (a state_dict saved as .safetensors) as a checkpoint sharpd can score.",
        discussion: """
            The model's input channels, classes and (for ViT) input size come from the weights; the data must be
            what the model was trained on, with the same preprocessing. Never reads pickles (.pt, .pth).
            Examples (docs/importing.md):
              sharp import resnet50.safetensors --model resnet50 --data busi/ --channels 3 \\
                  --resize shorter=256,crop=224 --normalize imagenet --store store/
              sharp import small.safetensors --model resnet-mini --data bus-synth --store store/
            """)

    @Argument(help: "The .safetensors file (safetensors.torch.save_file(model.state_dict(), path)).") var weights: String
    @Option(help: "Zoo model (\(ModelZoo.names.joined(separator: ", "))) or torchvision's name (vgg16_bn, vit_b_16, swin_t).")
    var model: String
    @Option(help: "The data it was trained on: bus-synth[:count=N,seed=S,benign=B], a folder ROOT/<class>/*.png|jpg, or a .npz.")
    var data: String
    @Option(help: "Input size (default: fixed by the weights for ViT and MLP, else 224 for full-size models, 64 for minis).")
    var imageSize: Int?
    @Option(help: "Input channels: 1 (luma) or 3 (RGB; grey images replicated). Default: from the first convolution's weight.")
    var channels: Int?
    @Option(help: "exact (stretch to the input size) or shorter=S,crop=C (torchvision Resize(S) + CenterCrop(C)).")
    var resize = "exact"
    @Option(help: "imagenet, none, or mean=a,b,c,std=d,e,f (torchvision Normalize after ToTensor).")
    var normalize = "none"
    @Option(help: "Classes (default: the head's output count; must match the data).") var classes: Int?
    @Option(help: "Run id (default: the file name without .safetensors).") var runID: String?
    @Option(help: "Epoch recorded in the manifest and the file name.") var epoch = 0
    @Option(name: .customLong("store"), help: "Store folder the checkpoint is written to (default: SHARP_STORE, else store).")
    var storeArgument: String?
    /// --store, else SHARP_STORE, else `store`.
    var store: String { StoreArgument.resolve(storeArgument) }

    func validate() throws {
        if let c = channels, c != 1 && c != 3 { throw ValidationError("--channels must be 1 or 3") }
        if let c = classes, c < 2 { throw ValidationError("--classes must be at least 2") }
        if let s = imageSize, s < 1 { throw ValidationError("--image-size must be positive") }
        if epoch < 0 { throw ValidationError("--epoch must not be negative") }
    }

    func run() throws {
        do {
            let (preprocessing, crop) = try ImagePreprocessing.parse(
                channels: channels ?? 1, resize: resize, normalize: normalize)
            if let crop, let imageSize, crop != imageSize {
                throw ValidationError("--resize crop=\(crop) and --image-size \(imageSize) disagree; the crop is the input size")
            }
            var spec = try DatasetSpec(commandLine: data, size: crop ?? imageSize ?? 224)
            spec.preprocessing = preprocessing
            var request = CheckpointImporter.Request(
                weights: weights, model: model, data: spec, imageSize: crop ?? imageSize, channels: channels,
                classes: classes, runID: runID, epoch: epoch, store: store)
            if let crop { request.imageSizeFlag = "--resize crop=\(crop)" }
            let outcome = try CheckpointImporter.run(request)
            let m = outcome.manifest
            ProgressPrinter.line(
                "sharp import: \(outcome.path): \(m.model.name), \(outcome.model.inputChannels)×\(outcome.model.inputHeight)×"
                    + "\(outcome.model.inputWidth), \(outcome.model.classes) classes, data \(m.dataset.spec["kind"]?.stringValue ?? "?") "
                    + "(\(m.dataset.trainCount) train / \(m.dataset.testCount) test), no optimizer state")
            for note in outcome.notes { ProgressPrinter.line("  \(note)") }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
