import Tensor

/// Builds the models of the study by name (docs/training.md §Models): each family has a full-size
/// torchvision-compatible configuration and a CPU-sized mini.
public enum ModelZoo {
    /// Every model name the zoo builds.
    public static let names = ["mlp", "vgg-mini", "vgg16", "resnet-mini", "resnet50", "vit-tiny", "vit-b16", "swin-mini", "swin-t"]

    /// The model described by `configuration`, its weights initialised from `configuration.seed`.
    public static func build(_ configuration: ModelConfiguration, dtype: DType = .float32) throws(ModelError) -> Model {
        let b = ModelBuilder(seed: configuration.seed, dtype: dtype)
        let c = configuration
        let root: any Layer
        switch c.name {
        case "mlp": root = try MLP.make(b, c)
        case "vgg-mini": root = try VGG.make(b, c, VGG.mini)
        case "vgg16": root = try VGG.make(b, c, VGG.vgg16)
        case "resnet-mini": root = try ResNet.make(b, c, ResNet.mini)
        case "resnet50": root = try ResNet.make(b, c, ResNet.resnet50)
        case "vit-tiny": root = try VisionTransformer.make(b, c, VisionTransformer.tiny)
        case "vit-b16": root = try VisionTransformer.make(b, c, VisionTransformer.b16)
        case "swin-mini": root = try SwinTransformer.make(b, c, SwinTransformer.mini)
        case "swin-t": root = try SwinTransformer.make(b, c, SwinTransformer.tiny)
        default: throw .unknownModel(c.name)
        }
        return Model(name: c.name, builder: b, root: root)
    }
}
