/// Why a dataset could not be built or read.
///
/// `description` is one line that names the file or dataset and what is wrong, so a command
/// can print it as is and a checkpoint scorer can record it as a failure reason.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A parameter of the dataset spec is out of range (e.g. more benign images than images).
    case invalidSpec(String)
    /// An image file could not be decoded (under `strict`, the first such file stops loading).
    case unreadableImage(path: String, reason: String)
    /// A folder dataset has no class folders or no readable images.
    case emptyFolder(path: String, reason: String)
    /// A file or folder could not be read from disk.
    case io(path: String, reason: String)
    /// An `.npz` file is not a usable MedMNIST-style archive.
    case badArchive(path: String, reason: String)
    /// A `.npy` array inside an `.npz` is malformed or of an unsupported kind.
    case badArray(path: String, entry: String, reason: String)
    /// A rebuilt dataset's fingerprint differs from the one recorded (e.g. in a checkpoint).
    case fingerprintMismatch(dataset: String, expected: String, actual: String)
    /// A recorded dataset's folder or file is at none of the places looked at.
    case notFound(path: String, tried: [String])

    /// One line naming the file or dataset and the problem.
    public var description: String {
        switch self {
        case .invalidSpec(let message):
            return "invalid dataset spec: \(message)"
        case .unreadableImage(let path, let reason):
            return "\(path): unreadable image (\(reason))"
        case .emptyFolder(let path, let reason):
            return "\(path): \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .badArchive(let path, let reason):
            return "\(path): not a usable .npz (\(reason))"
        case .badArray(let path, let entry, let reason):
            return "\(path): \(entry): \(reason)"
        case .notFound(let path, let tried):
            return "dataset \(path) not found (looked at \(tried.joined(separator: ", "))); if it moved, pass --data-root DIR"
                + " (or set SHARP_DATA_ROOT) to the folder that holds it now"
        case .fingerprintMismatch(let dataset, let expected, let actual):
            return "dataset \(dataset) does not match its recorded fingerprint: expected \(expected), rebuilt \(actual)"
                + " (the data or the generator changed)"
        }
    }
}
