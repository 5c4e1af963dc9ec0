import Foundation
import Testing

/// `SHARP_STORE` names the store for every command that takes `--store`, and `--store` wins
/// (docs/daemon.md).
@Suite(.serialized)
struct StoreEnvironmentTests {
    @Test func everyCommandFindsTheStoreInSharpStoreAndStoreWins() throws {
        let h = try DaemonHarness("store-env")
        guard h.hasExecutables else { return }
        let env = ["SHARP_STORE": h.store]
        let trained = try h.run("sharp", [
            "train", "--model", "mlp", "--data", "bus-synth:count=48", "--image-size", "16", "--epochs", "1",
        ], environment: env)
        #expect(trained.status == 0, "\(trained.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.store).contains { $0.hasSuffix(".ckpt.tar.zst") },
                "sharp train wrote into SHARP_STORE")
        let scored = try h.run("sharpd", ["--once", "--metric", "accuracy"], environment: env)
        #expect(scored.status == 0, "\(scored.output)")
        let listed = try h.run("sharpq", ["list", "--format", "tsv"], environment: env)
        #expect(listed.status == 0 && listed.output.split(separator: "\n").count == 2, "\(listed.output)")
        // --store wins over the variable.
        let elsewhere = try h.run("sharpq", ["list", "--format", "tsv", "--store", h.store], environment: ["SHARP_STORE": h.root + "/nowhere"])
        #expect(elsewhere.status == 0 && elsewhere.output.contains("mlp"), "\(elsewhere.output)")
        let wrong = try h.run("sharpq", ["list"], environment: ["SHARP_STORE": h.root + "/nowhere"])
        #expect(wrong.status == 1 && wrong.output.contains("nowhere"), "\(wrong.output)")
        // Neither: the daemon says which store it lacks, with exit status 2 (usage).
        let none = try h.run("sharpd", ["--once"], environment: ["SHARP_STORE": ""])
        #expect(none.status == 2, "\(none.status): \(none.output)")
        #expect(none.output.contains("--store DIR or set SHARP_STORE"), "\(none.output)")
    }
}
