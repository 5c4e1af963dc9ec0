import PluginKit

/// Train and test accuracy and mean cross-entropy loss at the checkpoint's weights, and the
/// generalisation gap (test loss − train loss; docs/metrics.md §accuracy). Each is one pass over its split
/// (the host accumulates over batches in Float64, weighted by batch size, in the recorded mode).
public final class Accuracy: MetricPlugin {
    public static var description: PluginDescription {
        PluginDescription(name: "accuracy", version: "1.0.0",
                          summary: "train/test accuracy and loss, and the generalisation gap (test loss − train loss)", parameters: [])
    }

    public init(hyperparameters: Hyperparameters) throws {}

    public func evaluate(_ context: MetricContext) throws {
        var clock = Stopwatch()
        let train = try context.loss(data: .train)
        let trainSeconds = clock.seconds
        clock = Stopwatch()
        let test = try context.loss(data: .test)
        let testSeconds = clock.seconds
        guard let trainAccuracy = train.accuracy, let testAccuracy = test.accuracy else {
            throw PluginError.unsupported("the host reports no accuracy for this model")
        }
        try context.report("train_acc", value: trainAccuracy, seconds: trainSeconds)
        try context.report("test_acc", value: testAccuracy, seconds: testSeconds)
        try context.report("train_loss", value: train.loss, seconds: trainSeconds)
        try context.report("test_loss", value: test.loss, seconds: testSeconds)
        try context.report("gap", value: test.loss - train.loss, seconds: trainSeconds + testSeconds)
    }
}

/// The plugin's entry point (sharp_plugin.h).
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.metric(Accuracy.self)
}
