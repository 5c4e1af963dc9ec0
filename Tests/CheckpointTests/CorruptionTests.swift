import Foundation
import Testing

@testable import Checkpoint

/// A valid archive cut short or with one byte changed: every read either fails with a
/// one-line error naming the file, or (a change in padding) returns exactly the original.
struct CorruptionTests {
    static let original = Fixtures.small()

    /// About 20 cut points: inside the first header, around block edges, then spread evenly.
    static func cutPoints(_ length: Int) -> [Int] {
        let spread = (1...15).map { length * $0 / 16 }
        return Array(Set([1, 7, 100, 511, 512, 513, length - 1] + spread)).filter { $0 > 0 && $0 < length }.sorted()
    }

    /// Truncation reasons a reader may give, depending on where the cut falls.
    static let truncationPhrases = ["truncated archive", "missing entry", "damaged archive", "not a tar"]

    @Test(arguments: CheckpointCompression.allCases)
    func truncatedArchivesAreRejectedAtEveryCutPoint(compression: CheckpointCompression) throws {
        let bytes = try Self.original.archiveBytes(compression: compression)
        let cuts = Self.cutPoints(bytes.count)
        #expect(cuts.count >= 18)
        for cut in cuts {
            let source = "store/run7-cut\(cut).ckpt.tar.zst"
            let error = checkpointError { _ = try Checkpoint.read(bytes: Array(bytes.prefix(cut)), source: source) }
            let text = error?.description ?? ""
            #expect(text.hasPrefix(source + ":") || text.hasPrefix(source + " ("), "cut \(cut): \(text)")
            #expect(Self.truncationPhrases.contains { text.contains($0) }, "cut \(cut) of \(bytes.count): \(text)")
            #expect(!text.contains("\n"))
        }
    }

    @Test(arguments: CheckpointCompression.allCases)
    func flippedBytesAreRejectedOrHarmless(compression: CheckpointCompression) throws {
        let bytes = try Self.original.archiveBytes(compression: compression)
        let offsets = (0..<15).map { (bytes.count * $0 / 15 + 11) % bytes.count }
        var rejected = 0
        for offset in offsets {
            var damaged = bytes
            damaged[offset] ^= 0x5a
            let source = "store/run7-flip\(offset).ckpt.tar.zst"
            do {
                let read = try Checkpoint.read(bytes: damaged, source: source)
                #expect(
                    Fixtures.identical(read, Self.original),
                    "flip at \(offset) of \(bytes.count) read back different content")
            } catch let error as CheckpointError {
                rejected += 1
                #expect(error.description.hasPrefix(source), "flip at \(offset): \(error)")
                #expect(!error.description.contains("\n"))
            }
        }
        // Most of the archive is data the checks cover; padding is the only harmless place.
        #expect(rejected >= 10, "only \(rejected) of \(offsets.count) flips were noticed")
    }
}
