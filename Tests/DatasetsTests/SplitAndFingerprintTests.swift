import Foundation
import Tensor
import Testing

@testable import Datasets

@Suite struct SplitAndFingerprintTests {
    @Test func defaultSplitIsStratifiedEightyTwentyWithinOneImagePerClass() {
        let d = TestData.defaultDataset
        #expect(Set(d.trainIndices).isDisjoint(with: d.testIndices))
        #expect((d.trainIndices + d.testIndices).sorted() == Array(0..<d.count))
        for c in 0..<2 {
            let total = d.labels.filter { $0 == c }.count
            let test = d.testIndices.filter { d.labels[$0] == c }.count
            #expect(abs(Double(test) - 0.2 * Double(total)) <= 1, "class \(c): \(test) of \(total) in test")
        }
        #expect(d.testIndices.count == 481)  // 177 of 886 benign + 304 of 1519 malignant
    }

    @Test func splitIsSeeded() {
        let labels = (0..<200).map { $0 % 3 == 0 ? 1 : 0 }
        let a = StratifiedSplit.make(labels: labels, classCount: 2, testFraction: 0.2, seed: 1)
        let b = StratifiedSplit.make(labels: labels, classCount: 2, testFraction: 0.2, seed: 1)
        let c = StratifiedSplit.make(labels: labels, classCount: 2, testFraction: 0.2, seed: 2)
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.test != c.test)
        #expect(a.test.count == c.test.count)
    }

    @Test func specRoundTripsThroughJSONAndLeavesOutFieldsOfOtherKinds() throws {
        let specs: [DatasetSpec] = [
            .busSynth(seed: 4, count: 100, size: 32, splitSeed: 9), .folder("/data/BUSI", size: 128, strict: true),
            .npz("breastmnist.npz", size: 28),
        ]
        for spec in specs {
            let json = try JSONEncoder().encode(spec)
            #expect(try JSONDecoder().decode(DatasetSpec.self, from: json) == spec)
        }
        let text = String(decoding: try JSONEncoder().encode(specs[0]), as: UTF8.self)
        #expect(
            text.contains("\"kind\":\"bus-synth\"") && text.contains("\"benignCount\":37") && !text.contains("path"))
    }

    @Test func buildWithTheRecordedFingerprintSucceedsAndAChangedDatasetIsNamedInOneLine() throws {
        let spec = DatasetSpec.busSynth(seed: 1, count: 30, size: 32)
        let original = try spec.build()
        let rebuilt = try spec.build(
            expectingFingerprint: original.fingerprint, splitFingerprint: original.splitFingerprint)
        #expect(rebuilt.testIndices == original.testIndices)
        var changed = spec
        changed.seed = 2
        let error = #expect(throws: DatasetError.self) { try changed.build(expectingFingerprint: original.fingerprint) }
        let line = error?.description ?? ""
        #expect(line.contains("bus-synth") && line.contains(original.fingerprint) && !line.contains("\n"))
        var resplit = spec
        resplit.splitSeed = 5
        #expect(throws: DatasetError.self) {
            try resplit.build(expectingFingerprint: original.fingerprint, splitFingerprint: original.splitFingerprint)
        }
    }

    @Test func fingerprintCoversPixelsLabelsShapeAndClassNames() {
        let images = Tensor(shape: [2, 1, 2, 2], scalars: [Float](repeating: 0.5, count: 8))
        let base = DatasetFingerprint.content(images: images, labels: [0, 1], classNames: ["a", "b"])
        var pixels = [Float](repeating: 0.5, count: 8)
        pixels[7] = Float(0.5).nextUp
        let onePixel = DatasetFingerprint.content(
            images: Tensor(shape: [2, 1, 2, 2], scalars: pixels), labels: [0, 1], classNames: ["a", "b"])
        let labels = DatasetFingerprint.content(images: images, labels: [1, 0], classNames: ["a", "b"])
        let names = DatasetFingerprint.content(images: images, labels: [0, 1], classNames: ["a", "c"])
        let shape = DatasetFingerprint.content(
            images: images.reshaped([2, 1, 4, 1]), labels: [0, 1], classNames: ["a", "b"])
        #expect(Set([base, onePixel, labels, names, shape]).count == 5)
    }

    @Test func invalidSpecsAreRejectedWithAReason() {
        #expect(throws: DatasetError.self) { try DatasetSpec.busSynth(count: 10, benignCount: 11).build() }
        #expect(throws: DatasetError.self) { try DatasetSpec.busSynth(size: 2).build() }
        #expect(throws: DatasetError.self) { try DatasetSpec.busSynth(testFraction: 1).build() }
        var fileSplit = DatasetSpec.busSynth()
        fileSplit.split = .file
        #expect(throws: DatasetError.self) { try fileSplit.build() }
    }
}
