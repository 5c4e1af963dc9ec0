import Testing

@testable import Datasets

@Suite struct ResamplerTests {
    @Test func shrinkingAveragesAreas() {
        // 4×4 → 2×2: each output is the mean of a 2×2 block.
        let image: [Float] = [1, 3, 0, 0, 5, 7, 0, 4, 2, 2, 8, 8, 2, 2, 8, 8]
        #expect(Resampler.resize(image, width: 4, height: 4, targetWidth: 2, targetHeight: 2) == [4, 1, 2, 8])
        // 3 → 2 along a row: overlaps of 1 and ½ source pixels, each output covering 1.5.
        let row = Resampler.resize([0, 3, 6], width: 3, height: 1, targetWidth: 2, targetHeight: 1)
        #expect(abs(row[0] - 1) < 1e-6 && abs(row[1] - 5) < 1e-6)
    }

    @Test func enlargingIsBilinearWithHalfPixelCentres() {
        // 2 → 4: sample positions −0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let row = Resampler.resize([0, 1], width: 2, height: 1, targetWidth: 4, targetHeight: 1)
        #expect(row == [0, 0.25, 0.75, 1])
        let square = Resampler.resize([0, 1, 1, 0], width: 2, height: 2, targetWidth: 4, targetHeight: 4)
        #expect(abs(square[1 * 4 + 1] - 0.375) < 1e-6)  // 0.75·(0.75·0 + 0.25·1) + 0.25·(0.75·1 + 0.25·0)
    }

    @Test func theSameSizeIsUnchangedAndMixedAxesWork() {
        let image: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        #expect(Resampler.resize(image, width: 3, height: 2, targetWidth: 3, targetHeight: 2) == image)
        let mixed = Resampler.resize(image, width: 3, height: 2, targetWidth: 1, targetHeight: 4)
        #expect(mixed.count == 4 && abs(mixed[0] - 0.2) < 1e-6 && abs(mixed[3] - 0.5) < 1e-6)
    }
}
