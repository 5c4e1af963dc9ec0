import Tensor

/// Builds the models of the study by name (docs/training.md §Models): each family has a full-size
/// torchvision-compatible configuration and a CPU-sized mini.
public enum ModelZoo {
    /// Every model name the zoo builds.
    public static let names = [
        "mlp", "vgg-mini", "vgg11", "vgg11-bn", "vgg16", "vgg16-bn", "resnet-mini", "resnet18", "resnet34", "resnet50",
        "vit-tiny", "vit-b16", "swin-mini", "swin-t",
    ]

    /// The zoo name for `name` written either way: the zoo's own, or torchvision's constructor
    /// name (`vgg16_bn`, `vit_b_16`, `swin_t`); nil when it is neither.
    public static func canonicalName(_ name: String) -> String? {
        if names.contains(name) { return name }
        let torchvision = ["vgg11_bn": "vgg11-bn", "vgg16_bn": "vgg16-bn", "vit_b_16": "vit-b16", "swin_t": "swin-t"]
        return torchvision[name.lowercased()] ?? (names.contains(name.lowercased()) ? name.lowercased() : nil)
    }

    /// Whether `name` is a full-size (torchvision, 224×224) configuration rather than a CPU-sized mini.
    public static func isFullSize(_ name: String) -> Bool {
        !["mlp", "vgg-mini", "resnet-mini", "vit-tiny", "swin-mini"].contains(name)
    }

    /// The model described by `configuration`, its weights initialised from `configuration.seed`,
    /// or zero when `initialized` is false (weights about to be loaded: no random draws).
    public static func build(_ configuration: ModelConfiguration, dtype: DType = .float32, initialized: Bool = true)
        throws(ModelError) -> Model
    {
        let b = ModelBuilder(seed: configuration.seed, dtype: dtype, randomInitialization: initialized)
        let c = configuration
        let root: any Layer
        switch c.name {
        case "mlp": root = try MLP.make(b, c)
        case "vgg-mini": root = try VGG.make(b, c, VGG.mini)
        case "vgg11": root = try VGG.make(b, c, VGG.vgg11)
        case "vgg11-bn": root = try VGG.make(b, c, VGG.vgg11.withBatchNorm)
        case "vgg16": root = try VGG.make(b, c, VGG.vgg16)
        case "vgg16-bn": root = try VGG.make(b, c, VGG.vgg16.withBatchNorm)
        case "resnet-mini": root = try ResNet.make(b, c, ResNet.mini)
        case "resnet18": root = try ResNet.make(b, c, ResNet.resnet18)
        case "resnet34": root = try ResNet.make(b, c, ResNet.resnet34)
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
