/// Why a checkpoint could not be scored, in one line a user can act on.
public enum ScoringError: Error, CustomStringConvertible, Sendable {
    /// The checkpoint file is missing, damaged or not a Sharp checkpoint.
    case unreadableCheckpoint(path: String, reason: String)
    /// The manifest's model could not be rebuilt or its weights do not fit.
    case model(path: String, reason: String)
    /// The dataset the checkpoint was trained on cannot be rebuilt as recorded.
    case dataset(path: String, reason: String)
    /// The dataset's folder or file is nowhere it is looked for (it may come back, or move).
    case dataMissing(path: String, reason: String)
    /// A bad option or metric request.
    case invalidRequest(String)
    /// A metric plugin or a callback failed.
    case metricFailed(metric: String, reason: String)

    /// One line.
    public var description: String {
        switch self {
        case .unreadableCheckpoint(let path, let reason): return "\(path): cannot read the checkpoint: \(reason)"
        case .model(let path, let reason): return "\(path): cannot rebuild the model: \(reason)"
        case .dataset(let path, let reason):
            return "\(path): cannot rebuild the dataset it was trained on: \(reason) "
                + "(the data must be available exactly as at training time; see docs/datasets.md)"
        case .dataMissing(let path, let reason): return "\(path): \(reason)"
        case .invalidRequest(let message): return message
        case .metricFailed(let metric, let reason):
            // A plugin's own error already names it ("hessian-trace evaluate failed, …"): say it once.
            return reason.hasPrefix(metric + " ") ? "metric \(reason)" : "metric \(metric) failed: \(reason)"
        }
    }
}
