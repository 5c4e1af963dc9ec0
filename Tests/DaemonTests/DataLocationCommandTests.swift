import Datasets
import Foundation
import Testing

/// A user's own data with three classes, given by a relative path: `sharp train` takes the class
/// count from it and records where it is, so `sharp score` works from another directory; moved,
/// it is found again with --data-root (sharp score and sharpd), and without it the error says so;
/// the daemon's jobs wait for the data and run once it is found.
struct DataLocationCommandTests {
    /// Runs a built executable in `directory`.
    static func run(_ h: DaemonHarness, _ tool: String, _ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(h.bin)/\(tool)")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(5)))
    func threeClassesFromARelativePathScoreFromAnywhereAndAfterAMove() throws {
        let h = try DaemonHarness("data-location")
        guard h.hasExecutables else { return }
        let project = h.root + "/project", elsewhere = h.root + "/elsewhere"
        for c in 0..<3 {
            let folder = "\(project)/data/three/class\(c)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for i in 0..<6 {
                let value = UInt8(40 + 80 * c + i)
                let png = try PNGCodec.encode(DecodedImage(width: 8, height: 8, channels: 1, samples: Array(repeating: value, count: 64)))
                try Data(png).write(to: URL(fileURLWithPath: "\(folder)/\(i).png"))
            }
        }
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let trained = try Self.run(h, "sharp", ["train", "--model", "mlp", "--data", "data/three", "--image-size", "8", "--epochs", "1",
                                             "--store", "store"], in: project)
        #expect(trained.status == 0, "\(trained.output)")
        let checkpoint = try #require(FileManager.default.contentsOfDirectory(atPath: project + "/store").first { $0.hasSuffix(".ckpt.tar.zst") })
        let path = "\(project)/store/\(checkpoint)"

        let scored = try Self.run(h, "sharp", ["score", path, "--metric", "accuracy", "--format", "csv"], in: elsewhere)
        #expect(scored.status == 0, "\(scored.output)")
        #expect(scored.output.contains("train_acc"), "\(scored.output)")

        // The data moves: a one-line error naming the fix, then --data-root finds it.
        try FileManager.default.moveItem(atPath: project + "/data", toPath: elsewhere + "/data")
        let lost = try Self.run(h, "sharp", ["score", path, "--metric", "accuracy"], in: elsewhere)
        #expect(lost.status != 0)
        #expect(lost.output.contains("not found") && lost.output.contains("--data-root"), "\(lost.output)")
        let found = try Self.run(h, "sharp", ["score", path, "--metric", "accuracy", "--data-root", elsewhere], in: h.root)
        #expect(found.status == 0, "\(found.output)")

        // The daemon: without the data its jobs fail as waiting for data; once it is found (here
        // under --data-root, which its workers inherit) they are queued again and scored.
        let waiting = try Self.run(h, "sharpd", ["--store", project + "/store", "--once", "--metric", "accuracy"], in: h.root)
        #expect(waiting.status == 1, "\(waiting.output)")
        #expect(waiting.output.contains("its dataset is missing; its jobs wait for it"), "\(waiting.output)")
        let failed = try Self.run(h, "sharpq", ["jobs", "--store", project + "/store", "--state", "failed"], in: h.root)
        #expect(failed.output.contains("waiting for data: "), "\(failed.output)")
        let daemon = try Self.run(h, "sharpd", ["--store", project + "/store", "--once", "--metric", "accuracy", "--data-root", elsewhere], in: h.root)
        #expect(daemon.status == 0, "\(daemon.output)")
        #expect(daemon.output.contains("its dataset is there again; 1 job(s) queued again"), "\(daemon.output)")
    }
}
