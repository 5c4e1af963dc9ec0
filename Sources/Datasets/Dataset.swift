import Tensor

/// A labelled image dataset with its train/test split, ready for training or scoring.
///
/// Built by `DatasetSpec.build()`, which is the only way a checkpoint's scorer gets the same
/// data back; `fingerprint` proves it did.
public struct Dataset: Sendable {
    /// A short human-readable name (`bus-synth`, a folder or file path).
    public let name: String
    /// Images `[N, 1, H, W]`, float32 in [0, 1].
    public let images: Tensor
    /// Class label of each image, in `0..<classNames.count`.
    public let labels: [Int]
    /// Class names by label.
    public let classNames: [String]
    /// Indices of the training images, ascending.
    public let trainIndices: [Int]
    /// Indices of the validation images (only an `.npz` brings its own; otherwise empty).
    public let validationIndices: [Int]
    /// Indices of the test images, ascending.
    public let testIndices: [Int]
    /// Files of a folder dataset that could not be decoded and were left out.
    public let skippedFiles: [SkippedFile]
    /// SHA-256 (hex) of the content: shape, labels, pixels and class names (`DatasetFingerprint`).
    public let fingerprint: String
    /// SHA-256 (hex) of the train, validation and test index lists.
    public let splitFingerprint: String

    /// A dataset over `images` and `labels` with the given split; computes both fingerprints.
    public init(
        name: String, images: Tensor, labels: [Int], classNames: [String], trainIndices: [Int],
        validationIndices: [Int] = [], testIndices: [Int], skippedFiles: [SkippedFile] = []
    ) {
        precondition(
            images.rank == 4 && (images.shape[1] == 1 || images.shape[1] == 3) && images.dtype == .float32,
            "Dataset: images must be float32 [N, 1 or 3, H, W], not \(images.shape)")
        precondition(images.shape[0] == labels.count, "Dataset: \(images.shape[0]) images but \(labels.count) labels")
        precondition(labels.allSatisfy { (0..<classNames.count).contains($0) }, "Dataset: a label is out of range")
        self.name = name
        self.images = images
        self.labels = labels
        self.classNames = classNames
        self.trainIndices = trainIndices
        self.validationIndices = validationIndices
        self.testIndices = testIndices
        self.skippedFiles = skippedFiles
        fingerprint = DatasetFingerprint.content(images: images, labels: labels, classNames: classNames)
        splitFingerprint = DatasetFingerprint.split(
            train: trainIndices, validation: validationIndices, test: testIndices)
    }

    /// Number of images.
    public var count: Int { labels.count }
    /// Image height and width in pixels.
    public var imageSize: (height: Int, width: Int) { (images.shape[2], images.shape[3]) }
    /// Number of images of each class, by label.
    public var classCounts: [Int] {
        labels.reduce(into: [Int](repeating: 0, count: classNames.count)) { $0[$1] += 1 }
    }

    /// Channels per image: 1, or 3 for an RGB preprocessing.
    public var channels: Int { images.shape[1] }

    /// The images at `indices` as one batch `[B, C, H, W]` with their labels.
    public func batch(_ indices: [Int]) -> MiniBatch {
        let (h, w) = imageSize
        let pixels = channels * h * w
        let out = Tensor(zeros: [indices.count, channels, h, w], dtype: .float32)
        let (source, destination) = (images.pointer(Float.self), out.pointer(Float.self))
        for (row, index) in indices.enumerated() {
            precondition((0..<count).contains(index), "Dataset.batch: index \(index) out of range 0..<\(count)")
            (destination + row * pixels).update(from: source + index * pixels, count: pixels)
        }
        return MiniBatch(images: out, labels: indices.map { labels[$0] }, indices: indices)
    }
}

/// A file left out of a folder dataset, and why.
public struct SkippedFile: Codable, Sendable, Equatable {
    /// Path of the file as found under the dataset root.
    public var path: String
    /// The decoder's message (e.g. `Premature end of JPEG file`).
    public var reason: String

    /// A skipped file record.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
