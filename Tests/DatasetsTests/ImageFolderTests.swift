import Foundation
import Testing

@testable import Datasets

@Suite struct ImageFolderTests {
    /// ROOT/benign: a red PNG, a grey JPEG, a corrupt PNG, a BUSI mask; ROOT/malignant: a
    /// gradient PNG, a truncated JPEG, a text file named .png; ROOT/.hidden is ignored.
    func makeFolder() throws -> (root: URL, corrupt: String, truncated: String, fake: String) {
        let root = TestData.temporaryDirectory("folder")
        let fm = FileManager.default
        for name in ["malignant", "benign", ".hidden"] {
            try fm.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        func write(_ bytes: [UInt8], _ path: String) throws {
            try Data(bytes).write(to: root.appendingPathComponent(path))
        }
        let red = DecodedImage(
            width: 8, height: 8, channels: 3, samples: Array(repeating: [255, 0, 0], count: 64).flatMap { $0 })
        try write(PNGCodec.encode(red), "benign/a_red.png")
        try write(
            JPEGCodec.encode(
                DecodedImage(width: 8, height: 8, channels: 1, samples: Array(repeating: 128, count: 64)), quality: 95),
            "benign/b_grey.JPG")
        var corrupt = try PNGCodec.encode(red)
        corrupt.replaceSubrange(40..<corrupt.count, with: Array(repeating: 7, count: corrupt.count - 40))
        try write(corrupt, "benign/c_corrupt.png")
        try write(PNGCodec.encode(red), "benign/a_red_mask.png")
        let gradient = DecodedImage(width: 4, height: 4, channels: 1, samples: (0..<16).map { UInt8($0 % 4 * 85) })
        try write(PNGCodec.encode(gradient), "malignant/gradient.png")
        let jpeg = try JPEGCodec.encode(
            DecodedImage(width: 64, height: 64, channels: 1, samples: (0..<4096).map { UInt8($0 % 256) }))
        try write(Array(jpeg.prefix(jpeg.count / 2)), "malignant/truncated.jpeg")
        try write(Array("not an image".utf8), "malignant/notes.png")
        try write(PNGCodec.encode(red), ".hidden/x.png")
        return (
            root, root.appendingPathComponent("benign/c_corrupt.png").path,
            root.appendingPathComponent("malignant/truncated.jpeg").path,
            root.appendingPathComponent("malignant/notes.png").path
        )
    }

    @Test func loadsClassesFromSortedFolderNamesAndSkipsUnreadableFilesWithReasons() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let d = try DatasetSpec.folder(folder.root.path, size: 4, testFraction: 0).build()
        #expect(d.classNames == ["benign", "malignant"])
        #expect(d.labels == [0, 0, 1])  // a_red, b_grey, gradient; the mask is not an image
        #expect(d.skippedFiles.map(\.path) == [folder.corrupt, folder.fake, folder.truncated])
        #expect(d.skippedFiles[1].reason == "neither a PNG nor a JPEG file")
        #expect(d.skippedFiles[2].reason.contains("Premature end of JPEG file"))
        let pixels = d.images.floats
        #expect(pixels[0..<16].allSatisfy { abs($0 - 0.299) < 1e-6 }, "red converts to BT.601 luma 0.299")
        #expect(pixels[16..<32].allSatisfy { abs($0 - 128.0 / 255) < 0.02 })
        let expectedGradient = (0..<16).map { Float($0 % 4 * 85) / 255 }
        #expect(Array(pixels[32..<48]) == expectedGradient)
    }

    @Test func resizesToTheRequestedSize() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let d = try DatasetSpec.folder(folder.root.path, size: 2).build()
        #expect(d.images.shape == [3, 1, 2, 2])
        // The 4×4 gradient (columns 0, ⅓, ⅔, 1) area-averages to columns ⅙ and ⅚.
        let gradient = Array(d.images.floats[8..<12])
        #expect(abs(gradient[0] - 1.0 / 6) < 1e-6 && abs(gradient[1] - 5.0 / 6) < 1e-6)
    }

    @Test func strictFailsOnTheFirstUnreadableFileNamingIt() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let error = #expect(throws: DatasetError.self) {
            try DatasetSpec.folder(folder.root.path, size: 4, strict: true).build()
        }
        guard case .unreadableImage(let path, _)? = error else {
            Issue.record("expected unreadableImage, got \(String(describing: error))")
            return
        }
        #expect(path == folder.corrupt)
        let line = error?.description ?? ""
        #expect(line.hasPrefix(folder.corrupt) && !line.contains("\n"))
    }

    @Test func aMissingOrEmptyFolderIsAnError() throws {
        #expect(throws: DatasetError.self) { try DatasetSpec.folder("/nonexistent/sharp-data", size: 8).build() }
        let empty = TestData.temporaryDirectory("empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: DatasetError.self) { try DatasetSpec.folder(empty.path, size: 8).build() }
    }
}
