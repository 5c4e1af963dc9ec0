import Foundation
import Testing

@testable import Checkpoint

/// A checkpoint written by Sharp is readable with nothing but Python's standard library
/// (tarfile, json, struct, hashlib): the promise docs/checkpoint-format.md makes to users,
/// checked by running the script printed there.
struct PythonInteropTests {
    /// The full path of `program` on PATH, if any.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static let python = which("python3")
    static let zstd = which("zstd")

    /// The worked example in docs/checkpoint-format.md, so the documentation is what is tested.
    static func documentedScript() throws -> String {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/checkpoint-format.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        guard let marker = text.range(of: "<!-- python-example"),
            let open = text.range(of: "```python\n", range: marker.upperBound..<text.endIndex),
            let close = text.range(of: "\n```", range: open.upperBound..<text.endIndex)
        else { throw CocoaError(.fileReadCorruptFile) }
        return String(text[open.upperBound..<close.lowerBound]) + "\n"
    }

    /// What the script must print for `checkpoint`, computed on the Swift side.
    static func expectedLines(_ checkpoint: Checkpoint) -> [String] {
        var lines = [
            "entries manifest.json,model.safetensors,optimizer.safetensors,history.csv",
            "manifest sharp-checkpoint 1 run7 vgg-mini", "manifest digest ok",
            "file digest history.csv ok", "file digest model.safetensors ok", "file digest optimizer.safetensors ok",
        ]
        for (file, tensors) in [
            ("model.safetensors", checkpoint.modelTensors), ("optimizer.safetensors", checkpoint.optimizerTensors),
        ] {
            for entry in tensors {
                let first = entry.tensor.count > 0 ? String(format: "%.9g", entry.tensor.doubles[0]) : "-"
                let shape = "[" + entry.tensor.shape.map(String.init).joined(separator: ", ") + "]"
                lines.append("tensor \(file) \(entry.name) \(entry.tensor.dtype.safetensorsName) \(shape) \(first)")
            }
        }
        return lines + ["history epoch,train_loss,train_accuracy"]
    }

    /// Runs `command` through /bin/sh in `directory`; returns (status, stdout, stderr).
    static func shell(_ command: String, in directory: String) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let (out, err) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self)
        )
    }

    static func check(_ compression: CheckpointCompression, file: String, command: (String) -> String) throws {
        let directory = TemporaryDirectory()
        let checkpoint = Fixtures.small()
        try checkpoint.write(to: directory.file(file), compression: compression)
        try documentedScript().write(toFile: directory.file("read_checkpoint.py"), atomically: true, encoding: .utf8)
        let (status, output, errors) = try shell(command(file), in: directory.path)
        #expect(status == 0, "python3 failed: \(errors)")
        let lines = output.split(separator: "\n").map(String.init)
        let expected = expectedLines(checkpoint)
        #expect(lines == expected)
        for (got, want) in zip(lines, expected) where got != want {
            Issue.record("python printed \(got), expected \(want)")
        }
    }

    @Test(.enabled(if: python != nil, "python3 is not installed; interoperability not checked"))
    func pythonStandardLibraryReadsAnUncompressedCheckpoint() throws {
        try Self.check(.none, file: "run7.ckpt.tar") { "python3 read_checkpoint.py \($0)" }
    }

    @Test(.enabled(if: python != nil, "python3 is not installed; interoperability not checked"))
    func pythonStandardLibraryReadsAGzipCheckpoint() throws {
        try Self.check(.gzip, file: "run7.ckpt.tar.gz") { "python3 read_checkpoint.py \($0)" }
    }

    @Test(
        .enabled(
            if: python != nil && zstd != nil, "python3 or zstd is not installed; zstd interoperability not checked"))
    func pythonReadsAZstdCheckpointPipedThroughTheZstdTool() throws {
        try Self.check(.zstd, file: "run7.ckpt.tar.zst") { "zstd -dc \($0) | python3 read_checkpoint.py -" }
    }
}
