import Foundation
import Tensor
import Testing

@testable import Datasets

/// Serialized because one test changes the global `Parallel.threads`.
@Suite(.serialized) struct BusSynthDeterminismTests {
    let small = BusSynthConfiguration(seed: 7, count: 40, size: 48)

    @Test func sameSeedGivesIdenticalImagesLabelsAndFingerprint() throws {
        let a = try DatasetSpec.busSynth(seed: 7, count: 40, size: 48).build()
        let b = try DatasetSpec.busSynth(seed: 7, count: 40, size: 48).build()
        #expect(a.images.doubles == b.images.doubles)
        #expect(a.labels == b.labels)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint.count == 64)
    }

    @Test func differentSeedGivesDifferentImages() throws {
        let a = try DatasetSpec.busSynth(seed: 7, count: 40, size: 48).build()
        let b = try DatasetSpec.busSynth(seed: 8, count: 40, size: 48).build()
        #expect(a.images.doubles != b.images.doubles)
        #expect(a.fingerprint != b.fingerprint)
    }

    @Test func oneAndTwoThreadsGiveBitIdenticalImages() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let single = BusSynth.generate(small)
        Parallel.threads = 2
        let double = BusSynth.generate(small)
        #expect(single.images.doubles == double.images.doubles)
        #expect(single.lesions == double.lesions)
    }

    @Test func anImageDependsOnlyOnTheSeedAndItsIndex() {
        // Image i comes from stream i, so a longer dataset starts with the same phantoms
        // whenever the label of that image is the same.
        let short = BusSynth.generate(small)
        let (image, lesion) = BusSynth.phantom(index: 5, label: short.labels[5], configuration: small)
        let pixels = small.size * small.size
        #expect(Array(short.images.floats[(5 * pixels)..<(6 * pixels)]) == image)
        #expect(short.lesions[5] == lesion)
    }

    /// Printed, not asserted: other suites run at the same time, so this is an upper bound
    /// (`sharp data preview bus-synth` prints the time of a quiet build).
    @Test func defaultDatasetGenerationTimeIsMeasured() {
        let start = Date()
        let output = BusSynth.generate(BusSynthConfiguration())
        print(
            String(
                format: "bus-synth default 2405 × 64×64 generated in %.2f s on %d threads (alongside other tests)",
                Date().timeIntervalSince(start), Parallel.threads))
        #expect(output.images.shape == [2405, 1, 64, 64])
    }
}
