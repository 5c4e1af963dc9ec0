import Tensor

/// Everything needed to rebuild a dataset exactly: what it is, its parameters, and its split.
///
/// A checkpoint manifest stores the spec (as JSON) next to the dataset's fingerprint; a scorer
/// calls `build(expectingFingerprint:)` to get the same train and test images back, or a
/// one-line error if the data changed. Fields that do not apply to a kind are left out of the
/// JSON, e.g. `{"kind":"bus-synth","size":64,"seed":0,"count":2405,"benignCount":886,
/// "split":"stratified","splitSeed":0,"testFraction":0.2}`.
public struct DatasetSpec: Codable, Sendable, Equatable {
    /// Where the images come from.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Generated breast-ultrasound phantoms (`BusSynth`).
        case busSynth = "bus-synth"
        /// `ROOT/<class>/*.png|jpg|jpeg` (`ImageFolder`).
        case folder
        /// A MedMNIST-style `.npz` (`NPZDataset`).
        case npz
    }

    /// How images are divided into train and test.
    public enum SplitMethod: String, Codable, Sendable {
        /// `StratifiedSplit` with `splitSeed` and `testFraction`.
        case stratified
        /// The file's own train/val/test arrays (`.npz` only).
        case file
    }

    /// The source kind.
    public var kind: Kind
    /// Width and height every image is generated at or resized to.
    public var size: Int
    /// bus-synth: generator seed, image count and benign count.
    public var seed: UInt64?, count: Int?, benignCount: Int?
    /// folder, npz: path of the folder or file, as given.
    public var path: String?
    /// folder: fail on the first unreadable file instead of skipping it.
    public var strict: Bool?
    /// The split method.
    public var split: SplitMethod
    /// Seed of the stratified split.
    public var splitSeed: UInt64
    /// Fraction of each class held out for testing (stratified split).
    public var testFraction: Double
    /// Channels, resize and normalisation beyond the default (one luma channel stretched to
    /// `size × size`, in [0, 1]); nil for the default, which older specs never name.
    public var preprocessing: ImagePreprocessing?

    /// The preprocessing in effect.
    public var effectivePreprocessing: ImagePreprocessing { preprocessing ?? .standard }
    /// Channels of every image: 1, or 3 with an RGB preprocessing.
    public var channels: Int { effectivePreprocessing.channels }

    /// The `bus-synth` phantoms (defaults: 2,405 images, 886 benign, 64×64, seed 0, 80/20).
    public static func busSynth(
        seed: UInt64 = 0, count: Int = 2405, benignCount: Int? = nil, size: Int = 64,
        splitSeed: UInt64 = 0, testFraction: Double = 0.2
    ) -> DatasetSpec {
        let benign = benignCount ?? BusSynthConfiguration.defaultBenignCount(for: count)
        return DatasetSpec(
            kind: .busSynth, size: size, seed: seed, count: count, benignCount: benign,
            split: .stratified, splitSeed: splitSeed, testFraction: testFraction)
    }

    /// Images in `ROOT/<class>/`, resized to `size`, split 80/20 by default.
    public static func folder(
        _ path: String, size: Int = 64, strict: Bool = false, splitSeed: UInt64 = 0, testFraction: Double = 0.2
    ) -> DatasetSpec {
        DatasetSpec(
            kind: .folder, size: size, path: path, strict: strict, split: .stratified,
            splitSeed: splitSeed, testFraction: testFraction)
    }

    /// A MedMNIST-style `.npz`, resized to `size`, with the file's own split by default.
    public static func npz(
        _ path: String, size: Int = 64, split: SplitMethod = .file, splitSeed: UInt64 = 0, testFraction: Double = 0.2
    ) -> DatasetSpec {
        DatasetSpec(kind: .npz, size: size, path: path, split: split, splitSeed: splitSeed, testFraction: testFraction)
    }

    /// A short name for messages: `bus-synth` or the path.
    public var name: String { kind == .busSynth ? "bus-synth" : path ?? kind.rawValue }

    /// Builds the dataset this spec describes.
    public func build() throws(DatasetError) -> Dataset {
        guard (1...4096).contains(size) else { throw .invalidSpec("image size \(size) must be between 1 and 4096") }
        guard testFraction >= 0, testFraction < 1 else {
            throw .invalidSpec("test fraction \(testFraction) must be in [0, 1)")
        }
        if split == .file && kind != .npz { throw .invalidSpec("only an .npz brings its own split") }
        let shaping = effectivePreprocessing
        try shaping.validate(size: size)
        let source: LoadedImages
        switch kind {
        case .busSynth:
            let configuration = BusSynthConfiguration(
                seed: seed ?? 0, count: count ?? 2405, benignCount: benignCount, size: shaping.resizeShorter ?? size)
            try configuration.validate()
            let output = BusSynth.generate(configuration)
            let images = preprocessing == nil ? output.images : shaping.apply(toGrey: output.images, size: size)
            source = LoadedImages(images: images, labels: output.labels, classNames: BusSynth.classNames)
        case .folder:
            source = try ImageFolder.load(root: try requiredPath(), size: size, preprocessing: shaping, strict: strict ?? false)
        case .npz:
            source = try NPZDataset.load(path: try requiredPath(), size: size, preprocessing: shaping)
        }
        var (train, validation, test) = (
            source.fileSplit?.train ?? [], source.fileSplit?.validation ?? [], source.fileSplit?.test ?? []
        )
        if split == .stratified {
            (train, test) = StratifiedSplit.make(
                labels: source.labels, classCount: source.classNames.count, testFraction: testFraction, seed: splitSeed)
            validation = []
        }
        return Dataset(
            name: name, images: source.images, labels: source.labels, classNames: source.classNames,
            trainIndices: train, validationIndices: validation, testIndices: test, skippedFiles: source.skipped)
    }

    /// Builds the dataset and checks it is the one recorded: its content fingerprint must be
    /// `expectedFingerprint` (and its split fingerprint `expectedSplitFingerprint`, if given).
    /// - Throws: `DatasetError.fingerprintMismatch` naming the dataset and both fingerprints.
    public func build(
        expectingFingerprint expectedFingerprint: String, splitFingerprint expectedSplitFingerprint: String? = nil
    )
        throws(DatasetError) -> Dataset
    {
        let dataset = try build()
        if dataset.fingerprint != expectedFingerprint {
            throw .fingerprintMismatch(dataset: name, expected: expectedFingerprint, actual: dataset.fingerprint)
        }
        if let expectedSplitFingerprint, dataset.splitFingerprint != expectedSplitFingerprint {
            throw .fingerprintMismatch(
                dataset: "\(name) (split)", expected: expectedSplitFingerprint, actual: dataset.splitFingerprint)
        }
        return dataset
    }

    private func requiredPath() throws(DatasetError) -> String {
        guard let path, !path.isEmpty else { throw .invalidSpec("a \(kind.rawValue) dataset needs a path") }
        return path
    }
}

/// What a loader hands to `DatasetSpec.build`: images, labels, class names, and the file's own
/// split and skipped files when it has them.
struct LoadedImages {
    var images: Tensor
    var labels: [Int]
    var classNames: [String]
    var fileSplit: (train: [Int], validation: [Int], test: [Int])? = nil
    var skipped: [SkippedFile] = []
}
