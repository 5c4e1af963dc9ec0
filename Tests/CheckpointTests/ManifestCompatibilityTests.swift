import Foundation
import Hashing
import Testing

@testable import Checkpoint

/// Checkpoints from builds before the one JSON writer (Sources/JSON/JSONWriter.swift), whose
/// manifests Foundation's JSONEncoder wrote, still read and verify: a manifest's digest is taken
/// of the bytes as stored, never of a re-encoding. Both fixtures were written by such a build.
struct ManifestCompatibilityTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// `Fixtures.small()` as an older build archived it; today's safetensors headers are its bytes.
    @Test func anArchiveWrittenByAnOlderBuildReadsAndVerifies() throws {
        let checkpoint = try Checkpoint.read(bytes: Self.fixture("small-v1.ckpt.tar.zst"), source: "small-v1.ckpt.tar.zst")
        #expect(Fixtures.identical(checkpoint, Fixtures.small()))
        for (name, bytes) in try Fixtures.small().entryBytes() where name != CheckpointArchive.manifestName {
            #expect(SHA256.hex(of: bytes) == checkpoint.manifest.files[name]?.sha256, "\(name)")
        }
    }

    /// A diverged run's manifest with escapes, non-ASCII text, a UInt64 seed and -0.
    @Test func aManifestWrittenByFoundationVerifiesAndDecodes() throws {
        let stored = try Self.fixture("diverged-v1.manifest.json")
        let manifest = try Manifest.decode(stored)
        #expect(manifest.digestMatches(stored))
        #expect(manifest.training.trainLoss.isNaN && manifest.training.elapsedSeconds == .infinity)
        #expect(manifest.training.trainAccuracy == -.infinity)
        #expect(manifest.dataset.splitSeed == .max && manifest.training.seed == 9_007_199_254_740_993)
        #expect(manifest.runID == "run-é/😀")
        #expect(manifest.model.config["path"]?.stringValue == "data/bus é\t\"quoted\" \\ back\u{1}\u{2028}")
    }

    /// Re-encoded today, the same manifest differs from Foundation's bytes in two spellings only:
    /// empty arrays on one line (`[]`, not `[`, a blank line, `]`) and zero without a sign.
    @Test func todaysBytesDifferOnlyInEmptyArraysAndNegativeZero() throws {
        let stored = try Self.fixture("diverged-v1.manifest.json")
        let manifest = try Manifest.decode(stored)
        let written = try manifest.jsonBytes()
        let rewritten = try Manifest.decode(written)
        #expect(rewritten.digestMatches(written))
        func blanked(_ bytes: [UInt8], digest: String) -> String {
            String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: digest, with: String(repeating: "0", count: 64))
        }
        let expected = blanked(stored, digest: manifest.manifestSHA256)
            .replacingOccurrences(of: "[\n\n      ]", with: "[]")
            .replacingOccurrences(of: #""negativeZero" : -0,"#, with: #""negativeZero" : 0,"#)
        #expect(blanked(written, digest: rewritten.manifestSHA256) == expected)
    }
}
