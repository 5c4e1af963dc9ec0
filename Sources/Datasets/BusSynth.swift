import Foundation
import Tensor

/// Parameters of the `bus-synth` phantom dataset (docs/datasets.md §bus-synth).
public struct BusSynthConfiguration: Codable, Sendable, Equatable {
    /// Seed of everything random: labels, anatomy, lesions, speckle.
    public var seed: UInt64
    /// Number of images.
    public var count: Int
    /// Number of benign images (label 0); the rest are malignant (label 1).
    public var benignCount: Int
    /// Width and height of every image in pixels.
    public var size: Int

    /// The GDPH&SYSUCC proportions: 886 of 2,405 images benign.
    public static func defaultBenignCount(for count: Int) -> Int {
        Int((Double(count) * 886 / 2405).rounded())
    }

    /// A configuration; `benignCount` defaults to the GDPH&SYSUCC proportion of `count`.
    public init(seed: UInt64 = 0, count: Int = 2405, benignCount: Int? = nil, size: Int = 64) {
        self.seed = seed
        self.count = count
        self.benignCount = benignCount ?? Self.defaultBenignCount(for: count)
        self.size = size
    }

    /// Throws when the parameters cannot make a dataset.
    public func validate() throws(DatasetError) {
        guard count >= 2 else { throw .invalidSpec("bus-synth count \(count) must be at least 2") }
        guard (0...count).contains(benignCount) else {
            throw .invalidSpec("bus-synth benign count \(benignCount) must be between 0 and the image count \(count)")
        }
        guard (8...1024).contains(size) else { throw .invalidSpec("bus-synth size \(size) must be between 8 and 1024") }
    }
}

/// Generated `bus-synth` images with their labels and lesion ground truth.
public struct BusSynthOutput: Sendable {
    /// Images `[N, 1, size, size]`, float32 in [0, 1].
    public let images: Tensor
    /// 0 = benign, 1 = malignant, one per image.
    public let labels: [Int]
    /// What the generator drew and rendered for each image's lesion.
    public let lesions: [LesionParameters]
}

/// The `bus-synth` generator: breast-ultrasound phantoms, one lesion each (see docs/datasets.md).
///
/// Image `i` is rendered from Philox stream `i` of the seed alone, so any image can be
/// regenerated on its own and the dataset is bit-identical for every thread count; the images
/// are rendered in parallel with `Parallel.forEachChunk`.
public enum BusSynth {
    /// Class names by label.
    public static let classNames = ["benign", "malignant"]
    /// Stream reserved for the label order (image streams are 0..<count).
    static let labelStream = UInt64.max

    /// Generates the dataset described by `configuration` (which must be valid).
    public static func generate(_ configuration: BusSynthConfiguration) -> BusSynthOutput {
        let (n, size) = (configuration.count, configuration.size)
        var labelRNG = RandomGenerator(seed: configuration.seed, stream: labelStream)
        let labels = labelRNG.permutation(n).map { $0 < configuration.benignCount ? 0 : 1 }
        let images = Tensor(zeros: [n, 1, size, size], dtype: .float32)
        let pixels = images.pointer(Float.self)
        var lesions = [LesionParameters?](repeating: nil, count: n)
        lesions.withUnsafeMutableBufferPointer { slots in
            // A phantom is ~10⁵ operations per 64² pixels: always worth a thread of its own.
            Parallel.forEachChunk(n, costPerItem: 100 * size * size) { range in
                for index in range {
                    let (image, lesion) = phantom(index: index, label: labels[index], configuration: configuration)
                    image.withUnsafeBufferPointer {
                        (pixels + index * size * size).update(from: $0.baseAddress!, count: $0.count)
                    }
                    slots[index] = lesion
                }
            }
        }
        return BusSynthOutput(images: images, labels: labels, lesions: lesions.map { $0! })
    }

    /// Smallest size phantoms are rendered at. Smaller images are area-averaged down from it, as
    /// a real scan resized to 28×28 (BreastMNIST) is: speckle averages out instead of turning
    /// into per-pixel noise.
    static let minimumRenderSize = 64

    /// Renders image `index` (row-major `size²` pixels) and its lesion's ground truth.
    static func phantom(index: Int, label: Int, configuration: BusSynthConfiguration) -> ([Float], LesionParameters) {
        let size = configuration.size
        let render = max(size, minimumRenderSize)
        var rng = RandomGenerator(seed: configuration.seed, stream: UInt64(index))
        var draws = RandomDraws(&rng, uniformCount: 192, normalCount: 16)
        let anatomy = PhantomAnatomy(&draws)
        let lesion = PhantomLesion(label: label, anatomy: anatomy, &draws)
        let fields = normalFloats(64 + 36 + 49, &rng)
        let gland = TextureField(grid: 8, normals: fields[0..<64])
        let fat = TextureField(grid: 6, normals: fields[64..<100])
        let interior = TextureField(grid: 7, normals: fields[100..<149])
        var amplitude = PhantomTissue.render(anatomy, size: render, gland: gland, fat: fat)
        var box = PhantomLesionRenderer.render(
            lesion, into: &amplitude, size: render, glandEcho: anatomy.glandEcho, texture: interior)
        for i in 0..<render {
            let attenuation = Float(exp(-anatomy.attenuation * (Double(i) + 0.5) / Double(render)))
            for j in 0..<render { amplitude[i * render + j] *= attenuation }
        }
        var image = Speckle.image(
            amplitude: amplitude, noise: normalFloats(2 * render * render, &rng), size: render,
            gainDecibels: anatomy.gainDecibels, dynamicRange: anatomy.dynamicRange)
        if render != size {
            image = Resampler.resize(image, width: render, height: render, targetWidth: size, targetHeight: size)
            // Every target pixel that overlaps a lesion pixel.
            func first(_ p: Int) -> Int { p * size / render }
            func last(_ p: Int) -> Int { ((p + 1) * size + render - 1) / render - 1 }
            if box.bottom >= 0 {
                box = .init(
                    top: first(box.top), bottom: last(box.bottom), left: first(box.left), right: last(box.right))
            }
        }
        let truth = LesionParameters(
            aspectRatio: lesion.aspectRatio, marginIrregularity: lesion.irregularity,
            spiculeCount: lesion.spiculeCount, posteriorFactor: lesion.posteriorFactor,
            heterogeneity: lesion.heterogeneity, relativeEchogenicity: lesion.echogenicity,
            marginSoftness: lesion.softness, calcificationCount: lesion.calcifications.count,
            suspicion: lesion.suspicion, top: box.top, bottom: box.bottom, left: box.left, right: box.right)
        return (image, truth)
    }
}
