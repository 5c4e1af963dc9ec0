/// Evaluation data one metric asks for instead of the run's (`--samples`, `--split`,
/// `--batch-size`), written as host keys in its request: `hessian-spectrum:mode=per-batch,samples=all`
/// takes the per-batch statistics over every training batch while the other Hessian metrics keep
/// their 128-sample subset. The host reads these keys; plugins never see them, and a plugin may not
/// declare a parameter of the same name (docs/writing-plugins.md).
public struct EvaluationOverrides: Sendable, Equatable {
    /// The keys the host reserves in a metric request.
    public static let keys: Set<String> = ["samples", "split", "batch"]

    /// `samples=all` (nil: the whole split) or `samples=N`; absent: the run's setting.
    public var sampleCount: Int??
    /// `split=train|test`.
    public var split: EvaluationOptions.Split?
    /// `batch=N`: images per batch.
    public var batchSize: Int?

    public init() {}

    /// True when the request overrides nothing.
    public var isEmpty: Bool { sampleCount == nil && split == nil && batchSize == nil }

    /// Reads one host key's value; `request` names the request in errors.
    mutating func set(_ key: String, _ text: String, request: String) throws {
        switch key {
        case "samples":
            if text == "all" {
                sampleCount = .some(nil)
            } else if let n = Int(text), n >= 1 {
                sampleCount = .some(n)
            } else {
                throw ScoringError.invalidRequest("metric '\(request)': samples must be a positive number or all, got '\(text)'")
            }
        case "split":
            guard let s = EvaluationOptions.Split(rawValue: text) else {
                throw ScoringError.invalidRequest("metric '\(request)': split must be train or test, got '\(text)'")
            }
            split = s
        case "batch":
            guard let n = Int(text), n >= 1 else {
                throw ScoringError.invalidRequest("metric '\(request)': batch must be a positive number, got '\(text)'")
            }
            batchSize = n
        default:
            preconditionFailure("\(key) is not a host key")
        }
    }

    /// `options` with these values put in.
    public func applied(to options: EvaluationOptions) -> EvaluationOptions {
        var o = options
        if let sampleCount { o.sampleCount = sampleCount }
        if let split { o.split = split }
        if let batchSize { o.batchSize = batchSize }
        return o
    }
}
