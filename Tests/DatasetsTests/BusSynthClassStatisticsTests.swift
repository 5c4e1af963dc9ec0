import Tensor
import Testing

@testable import Datasets

/// Class statistics of the default `bus-synth` dataset: what docs/datasets.md §bus-synth gives for each
/// class, measured from the generator's ground truth and from the pixels, with overlap.
@Suite struct BusSynthClassStatisticsTests {
    static let data = BusSynth.generate(BusSynthConfiguration())

    func split<T>(_ value: (LesionParameters) -> T) -> (benign: [T], malignant: [T]) {
        let pairs = zip(Self.data.labels, Self.data.lesions)
        return (pairs.filter { $0.0 == 0 }.map { value($0.1) }, pairs.filter { $0.0 == 1 }.map { value($0.1) })
    }

    func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
    func quantile(_ x: [Double], _ q: Double) -> Double { x.sorted()[Int(q * Double(x.count - 1))] }

    @Test func defaultsAreTheGDPHCountsAt64Pixels() {
        let d = Self.data
        #expect(d.images.shape == [2405, 1, 64, 64])
        #expect(d.images.dtype == .float32)
        #expect(d.labels.filter { $0 == 0 }.count == 886)
        #expect(d.labels.filter { $0 == 1 }.count == 1519)
        #expect(BusSynth.classNames == ["benign", "malignant"])
        let values = d.images.floats
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Black is expected (coupling gel, rib shadows); white clipping would mean a bad gain.
        #expect(values.filter { $0 == 1 }.count < values.count / 200, "log compression should rarely saturate")
        #expect(values.filter { $0 == 0 }.count < values.count / 10)
    }

    @Test func countsAndClassSizesAreConfigurable() throws {
        let spec = DatasetSpec.busSynth(seed: 3, count: 50, benignCount: 20, size: 40)
        let d = try spec.build()
        #expect(d.images.shape == [50, 1, 40, 40])
        #expect(d.classCounts == [20, 30])
        #expect(BusSynthConfiguration(count: 100).benignCount == 37)
    }

    @Test func smallImagesAreRenderedLargerAndAveragedDownWithTheirLesionBoxes() {
        let small = BusSynth.generate(BusSynthConfiguration(seed: 1, count: 12, size: 28))
        #expect(small.images.shape == [12, 1, 28, 28])
        for l in small.lesions {
            #expect(
                0 <= l.top && l.top <= l.bottom && l.bottom < 28 && 0 <= l.left && l.left <= l.right && l.right < 28)
        }
        let large = BusSynth.generate(BusSynthConfiguration(seed: 1, count: 12, size: 96))
        #expect(large.images.shape == [12, 1, 96, 96])
        #expect(zip(small.lesions, large.lesions).allSatisfy { $0.aspectRatio == $1.aspectRatio })
    }

    @Test func benignLesionsAreWiderThanTallAndMalignantTallerThanWideWithOverlap() {
        let ar = split { $0.aspectRatio }
        print(
            String(
                format: "aspect ratio (height/width) mean: benign %.2f, malignant %.2f", mean(ar.benign),
                mean(ar.malignant)))
        #expect(mean(ar.benign) < 1 && 1 < mean(ar.malignant))
        #expect(
            Double(ar.benign.filter { $0 > 1 }.count) / Double(ar.benign.count) > 0.02,
            "some benign are taller than wide")
        #expect(
            Double(ar.malignant.filter { $0 < 1 }.count) / Double(ar.malignant.count) > 0.1,
            "some malignant are wider than tall")
        // The rendered lesion (mask bounding box) shows the same ordering.
        let rendered = split { $0.renderedAspectRatio }
        #expect(mean(rendered.benign) < 1 && mean(rendered.benign) < mean(rendered.malignant) - 0.3)
    }

    @Test func malignantMarginsAreMoreIrregularWithOverlap() {
        let irregularity = split { $0.marginIrregularity }
        print(
            String(
                format: "margin irregularity mean: benign %.3f, malignant %.3f",
                mean(irregularity.benign), mean(irregularity.malignant)))
        #expect(mean(irregularity.malignant) > 2 * mean(irregularity.benign))
        #expect(
            quantile(irregularity.benign, 0.9) > quantile(irregularity.malignant, 0.1),
            "some benign more irregular than some malignant")
        let spicules = split { Double($0.spiculeCount) }
        #expect(mean(spicules.malignant) > mean(spicules.benign) + 1)
    }

    @Test func benignShowsPosteriorEnhancementAndMalignantShadowingWithOverlap() {
        let factor = split { $0.posteriorFactor }
        #expect(mean(factor.benign) > 1 && mean(factor.malignant) < 1)
        #expect(quantile(factor.benign, 0.1) < quantile(factor.malignant, 0.9))
    }

    /// Mean pixel value below the lesion's centre over the mean at the same depth beside it.
    func posteriorBrightness(_ n: Int) -> Double? {
        let l = Self.data.lesions[n]
        let (size, pixels) = (64, Self.data.images.pointer(Float.self) + n * 64 * 64)
        let (height, width) = (l.bottom - l.top + 1, l.right - l.left + 1)
        let rows = (l.bottom + 2)..<min(size, l.bottom + 2 + max(4, height / 2))
        let center = (l.left + width / 4)...(l.right - width / 4)
        let beside =
            Array(max(0, l.left - width / 2)..<max(0, l.left - 2))
            + Array(min(size, l.right + 3)..<min(size, l.right + 1 + width / 2))
        guard rows.count >= 3, !beside.isEmpty, center.count >= 2 else { return nil }
        func average(_ columns: [Int]) -> Double {
            var sum = 0.0
            for r in rows { for c in columns { sum += Double(pixels[r * size + c]) } }
            return sum / Double(rows.count * columns.count)
        }
        return average(Array(center)) / max(average(beside), 1e-3)
    }

    @Test func measuredPosteriorBrightnessIsLowerBehindMalignantLesions() {
        var benign: [Double] = [], malignant: [Double] = []
        for n in Self.data.labels.indices {
            guard let ratio = posteriorBrightness(n) else { continue }
            if Self.data.labels[n] == 0 { benign.append(ratio) } else { malignant.append(ratio) }
        }
        print(
            String(
                format: "measured posterior brightness ratio: benign %.3f (n=%d), malignant %.3f (n=%d)",
                mean(benign), benign.count, mean(malignant), malignant.count))
        #expect(benign.count > 400 && malignant.count > 700)
        #expect(mean(benign) > mean(malignant) + 0.1)
        #expect(quantile(benign, 0.1) < quantile(malignant, 0.9), "the measured feature overlaps between classes")
    }

    @Test func measuredLesionsAreDarkerThanTheirSurroundingsAndDarkestWhenMalignant() {
        var contrast: [[Double]] = [[], []]
        for n in Self.data.labels.indices {
            let l = Self.data.lesions[n]
            let pixels = Self.data.images.pointer(Float.self) + n * 64 * 64
            let (cy, cx) = ((l.top + l.bottom) / 2, (l.left + l.right) / 2)
            let inside = (-1...1).flatMap { dy in (-1...1).map { dx in Double(pixels[(cy + dy) * 64 + cx + dx]) } }
            let ring =
                (max(0, l.left - 4)..<max(0, l.left - 1)).map { Double(pixels[cy * 64 + $0]) }
                + (min(63, l.right + 2)..<min(64, l.right + 5)).map { Double(pixels[cy * 64 + $0]) }
            guard !ring.isEmpty else { continue }
            contrast[Self.data.labels[n]].append(mean(ring) - mean(inside))
        }
        print(
            String(
                format: "measured lesion darkness (surround − centre): benign %.3f, malignant %.3f",
                mean(contrast[0]), mean(contrast[1])))
        #expect(mean(contrast[0]) > 0.05 && mean(contrast[1]) > mean(contrast[0]))
    }
}
