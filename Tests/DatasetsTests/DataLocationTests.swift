import Foundation
import Testing

@testable import Datasets

/// Where a recorded dataset is looked for (DatasetSpec+Location.swift): command lines record
/// absolute paths; a relative one (older manifests) is found above the checkpoint; a moved one
/// under a data root by its last components; otherwise one error that lists the places and the fix.
struct DataLocationTests {
    @Test func aCommandLinePathIsRecordedAbsolute() throws {
        let here = FileManager.default.currentDirectoryPath
        #expect(try DatasetSpec(commandLine: "real/x.npz", size: 8).path == here + "/real/x.npz")
        #expect(try DatasetSpec(commandLine: "./a/../folder", size: 8).path == here + "/folder")
        #expect(try DatasetSpec(commandLine: "/data/y.npz", size: 8).path == "/data/y.npz")
        #expect(try DatasetSpec(commandLine: "bus-synth", size: 8).path == nil)
    }

    @Test func relativeMovedAndMissingPathsAreResolvedOrExplained() throws {
        let root = TestData.temporaryDirectory("location").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/project/real", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/project/store/runs", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/project/real/x.npz", contents: Data())

        // Relative, as older manifests recorded it: found above the checkpoint.
        let old = DatasetSpec.npz("real/x.npz", size: 8)
        #expect(try old.located(checkpoint: root + "/project/store/runs/c.ckpt.tar.zst").path == root + "/project/real/x.npz")

        // Moved: under a data root, by its last components.
        try fm.createDirectory(atPath: root + "/elsewhere/real", withIntermediateDirectories: true)
        try fm.moveItem(atPath: root + "/project/real/x.npz", toPath: root + "/elsewhere/real/x.npz")
        let recorded = DatasetSpec.npz("/old/machine/real/x.npz", size: 8)
        #expect(try recorded.located(dataRoots: [root + "/elsewhere"]).path == root + "/elsewhere/real/x.npz")
        #expect(try recorded.located(dataRoots: [root + "/elsewhere/real"]).path == root + "/elsewhere/real/x.npz")

        // Nowhere: every place looked at, and the fix.
        let error = #expect(throws: DatasetError.self) { try recorded.located(dataRoots: [root + "/nothing"]) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("dataset /old/machine/real/x.npz not found (looked at /old/machine/real/x.npz, \(root)/nothing/x.npz"), "\(text)")
        #expect(text.hasSuffix("if it moved, pass --data-root DIR (or set SHARP_DATA_ROOT) to the folder that holds it now"))

        // Synthetic data has no path.
        #expect(try DatasetSpec.busSynth(seed: 0, count: 8, benignCount: nil, size: 8).located(dataRoots: ["/x"]).path == nil)
        #expect(DatasetSpec.dataRoots(given: ["/a"], environment: ["SHARP_DATA_ROOT": "/b:/c"]) == ["/a", "/b", "/c"])
    }
}
