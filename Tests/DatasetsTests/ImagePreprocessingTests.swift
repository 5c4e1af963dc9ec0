import Tensor
import Testing

@testable import Datasets

/// The import preprocessing (docs/datasets.md §Preprocessing) against torchvision's rules, and
/// the default path left exactly as it was.
struct ImagePreprocessingTests {
    @Test func shorterSideAndCentreCropRoundAsTorchvision() {
        // Resize(256) on 640×480 (w×h): 341×256 (int(256·640/480) truncates 341.33).
        #expect(ImagePreprocessing.shorterSide(width: 640, height: 480, to: 256) == (341, 256))
        #expect(ImagePreprocessing.shorterSide(width: 300, height: 500, to: 256) == (256, 426))
        // CenterCrop(224) of 341×256: top round(16.0) = 16, left round(58.5) = 58 (half to even, Python's round).
        #expect(ImagePreprocessing.centreCropOrigin(width: 341, height: 256, size: 224) == (16, 58))
        #expect(ImagePreprocessing.centreCropOrigin(width: 227, height: 229, size: 224) == (2, 2))  // 1.5 → 2, 2.5 → 2
    }

    @Test func greyIsReplicatedColourKeptAndNormalised() {
        let p = ImagePreprocessing(channels: 3, normalization: .init(mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1]))
        // A 2×2 source already at the output size: no resampling, only channels and normalisation.
        let grey: [Float] = [0, 0.5, 1, 0.25]
        let out = p.apply(width: 2, height: 2, size: 2, luma: { grey }, rgb: { nil })
        #expect(out == [-1, 0, 1, -0.5] + [-1, 1, 3, 0] + [0, 0.5, 1, 0.25])
        let colour: [[Float]] = [[1, 1, 1, 1], [0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]]
        let rgb = ImagePreprocessing(channels: 3).apply(width: 2, height: 2, size: 2, luma: { [9, 9, 9, 9] }, rgb: { colour })
        #expect(rgb == colour.flatMap { $0 })
    }

    @Test func shorterSideCropTakesTheCentre() {
        // 4 wide × 2 high, values = column index / 4; shorter side 2 (no resize), crop 2: columns 1 and 2.
        let plane: [Float] = (0..<8).map { Float($0 % 4) / 4 }
        let out = ImagePreprocessing(channels: 1, resizeShorter: 2).apply(width: 4, height: 2, size: 2, luma: { plane }, rgb: { nil })
        #expect(out == [0.25, 0.5, 0.25, 0.5])
    }

    @Test func theDefaultSpecIsUnchangedAndPreprocessingChangesTheFingerprint() throws {
        let plain = DatasetSpec.busSynth(count: 8, size: 16)
        var rgb = plain
        rgb.preprocessing = ImagePreprocessing(channels: 3, resizeShorter: 20, normalization: .imagenet)
        let (a, b) = (try plain.build(), try rgb.build())
        #expect(a.images.shape == [8, 1, 16, 16] && b.images.shape == [8, 3, 16, 16])
        #expect(a.fingerprint != b.fingerprint)
        #expect(b.batch([0, 1]).images.shape == [2, 3, 16, 16])
        // Bad values are refused with the reason.
        rgb.preprocessing = ImagePreprocessing(channels: 3, resizeShorter: 8)
        #expect(throws: DatasetError.invalidSpec("resize shorter=8 must lie between the crop size 16 and 8192")) { try rgb.build() }
        rgb.preprocessing = ImagePreprocessing(channels: 1, normalization: .imagenet)
        #expect(throws: DatasetError.self) { try rgb.build() }
    }

    @Test func commandLineFlagsParse() throws {
        let (p, crop) = try ImagePreprocessing.parse(channels: 3, resize: "shorter=256,crop=224", normalize: "imagenet")
        #expect(p == ImagePreprocessing(channels: 3, resizeShorter: 256, normalization: .imagenet) && crop == 224)
        let (q, none) = try ImagePreprocessing.parse(channels: 1, resize: "exact", normalize: "mean=0.5,std=0.25")
        #expect(q.normalization == .init(mean: [0.5], std: [0.25]) && none == nil)
        #expect(throws: DatasetError.self) { try ImagePreprocessing.parse(channels: 3, resize: "shorter=256", normalize: "none") }
        #expect(throws: DatasetError.self) { try ImagePreprocessing.parse(channels: 3, resize: "exact", normalize: "mean=1,2,3") }
        #expect(throws: DatasetError.self) { try ImagePreprocessing.parse(channels: 3, resize: "exact", normalize: "std=x") }
    }
}
