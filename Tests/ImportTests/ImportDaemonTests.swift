import Checkpoint
import Foundation
import TestSupport
import Testing

/// An imported checkpoint dropped into a store that a running `sharpd` watches is scored like
/// any other, and `sharpq top --metric trace` lists it with its model and provenance.
@Suite struct ImportDaemonTests {
    @Test(.timeLimit(.minutes(3)))
    func aRunningDaemonScoresAnImportedCheckpoint() throws {
        guard let sharp = BuiltExecutable.path("sharp"), let sharpd = BuiltExecutable.path("sharpd"),
            let sharpq = BuiltExecutable.path("sharpq")
        else { Issue.record("build sharp, sharpd and sharpq first"); return }
        let root = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (staging, store) = ("\(root)/staging", "\(root)/store")
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        let imported = try BuiltExecutable.run(
            sharp, ["import", ImportFixtures.path("vit.safetensors"), "--data", ImportFixtures.path("data.npz"),
                    "--store", staging, "--model", "vit-tiny", "--run-id", "pytorch-vit"])
        #expect(imported.status == 0, "\(imported.stderr)")

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: sharpd)
        daemon.arguments = ["--store", store, "--metric", "hessian-trace:probes=8", "--metric", "accuracy", "--samples", "8"]
        let log = Pipe()
        daemon.standardOutput = log
        daemon.standardError = log
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }
        #expect(Self.wait(seconds: 20) { FileManager.default.fileExists(atPath: "\(store)/sharpd.pid") })
        let name = "pytorch-vit-e0000\(Checkpoint.fileExtension)"
        try FileManager.default.moveItem(atPath: "\(staging)/\(name)", toPath: "\(store)/\(name)")

        var listed: BuiltExecutable.Result?
        _ = Self.wait(seconds: 120) {
            listed = try? BuiltExecutable.run(sharpq, ["top", "--metric", "trace", "--format", "json", "--store", store])
            return listed?.stdout.contains("\"trace\":") == true && listed?.stdout.contains("\"trace\":null") == false
        }
        let text = listed?.stdout ?? ""
        #expect(text.contains("\"model\":\"vit-tiny\""), "\(text)")
        #expect(text.contains("\"provenance\":\"imported\""), "\(text)")
        #expect(text.contains("\"run_id\":\"pytorch-vit\""), "\(text)")
        let filtered = try BuiltExecutable.run(sharpq, ["list", "--where", "provenance=imported", "--format", "tsv", "--store", store])
        #expect(filtered.stdout.split(separator: "\n").count == 2, "\(filtered.stdout)\(filtered.stderr)")
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
    }

    static func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.25)
        }
        return condition()
    }
}
