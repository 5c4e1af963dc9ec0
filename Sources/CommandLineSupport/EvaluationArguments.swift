import ArgumentParser

/// `--mode` of the commands that score (`sharp score`, `sharpd`): the model's mode for the metrics.
public enum ModeOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case eval, train
}

/// `--precision` of the commands that score: the element type the model runs in.
public enum PrecisionOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case float32, float64
}
