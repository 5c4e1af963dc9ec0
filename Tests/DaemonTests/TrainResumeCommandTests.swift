import Foundation
import Testing

/// `sharp train --resume CKPT` with no other options continues the run as it was started: up to
/// its own epoch cap, into the checkpoint's own folder (not `store/` and not 20 epochs).
/// (Here because DaemonHarness runs the built executables.)
struct TrainResumeCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func resumeKeepsTheRunsEpochCapAndFolder() throws {
        let h = try DaemonHarness("resume")
        guard h.hasExecutables else { return }
        let folder = h.root + "/runs"
        let written = try h.trainTinyModel(into: folder, epochs: 3, checkpointEvery: 1)
        #expect(written.count == 3)
        let first = try #require(written.first { $0.hasSuffix("-e0001.ckpt.tar.zst") })
        try FileManager.default.removeItem(atPath: written.first { $0.hasSuffix("-e0003.ckpt.tar.zst") }!)
        let (status, output) = try h.run("sharp", ["train", "--resume", first])
        #expect(status == 0, "\(output)")
        #expect(output.contains("up to 3 epochs") && output.contains("stopped: max-epochs after epoch 3"), "\(output)")
        let final = first.replacingOccurrences(of: "-e0001.", with: "-e0003.")
        #expect(FileManager.default.fileExists(atPath: final), "the continuation writes beside the checkpoint:\n\(output)")
        let inStore = (try? FileManager.default.contentsOfDirectory(atPath: h.store)) ?? []
        #expect(!inStore.contains { $0.hasSuffix(".ckpt.tar.zst") }, "\(inStore)")
    }
}
