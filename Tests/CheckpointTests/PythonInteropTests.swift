import Foundation
import Testing

@testable import Checkpoint

/// A checkpoint written by Sharp is readable with nothing but Python's standard library
/// (tarfile, json, struct, hashlib): the promise docs/checkpoint-format.md makes to users.
struct PythonInteropTests {
    /// The full path of `program` on PATH, if any.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let python = which("python3")
    static let zstd = which("zstd")

    /// Lists the entries, checks both digests, parses the safetensors headers by hand and
    /// prints a few values; only the standard library, as in the docs.
    static let script = #"""
        import hashlib, json, struct, sys, tarfile
        src = sys.argv[1]
        tar = tarfile.open(fileobj=sys.stdin.buffer, mode="r|") if src == "-" else tarfile.open(src)
        data, names, modes = {}, [], set()
        for member in tar:
            assert member.isfile(), member.name
            names.append(member.name)
            modes.add(oct(member.mode))
            data[member.name] = tar.extractfile(member).read()
        print("entries", ",".join(names))
        print("modes", ",".join(sorted(modes)))
        text = data["manifest.json"].decode("utf-8")
        manifest = json.loads(text)
        print("manifest", manifest["format"], manifest["formatVersion"], manifest["runID"], manifest["model"]["name"])
        digest = manifest["manifestSHA256"]
        blank = text.replace(digest, "0" * 64)
        print("manifest digest", "ok" if hashlib.sha256(blank.encode()).hexdigest() == digest else "BAD")
        for name, record in sorted(manifest["files"].items()):
            ok = hashlib.sha256(data[name]).hexdigest() == record["sha256"] and len(data[name]) == record["bytes"]
            print("file digest", name, "ok" if ok else "BAD")
        tensors = {}
        for file in ("model.safetensors", "optimizer.safetensors"):
            blob = data[file]
            (n,) = struct.unpack("<Q", blob[:8])
            header = json.loads(blob[8:8 + n])
            body = blob[8 + n:]
            for name, info in header.items():
                if name == "__metadata__":
                    continue
                begin, end = info["data_offsets"]
                tensors[file, name] = body[begin:end]
                print("tensor", file, name, info["dtype"], info["shape"], body[begin:end][:8].hex())
        print("step", struct.unpack("<d", tensors["optimizer.safetensors", "step"])[0])
        print("history", data["history.csv"].decode().splitlines()[0])
        """#

    /// What the script must print for `checkpoint`, computed on the Swift side.
    static func expectedLines(_ checkpoint: Checkpoint) -> [String] {
        var lines = [
            "entries manifest.json,model.safetensors,optimizer.safetensors,history.csv", "modes 0o644",
            "manifest sharp-checkpoint 1 run7 vgg-mini", "manifest digest ok",
            "file digest history.csv ok", "file digest model.safetensors ok", "file digest optimizer.safetensors ok",
        ]
        for (file, tensors) in [("model.safetensors", checkpoint.modelTensors), ("optimizer.safetensors", checkpoint.optimizerTensors)] {
            for entry in tensors {
                let hex = Fixtures.bytes(entry.tensor).prefix(8).map { String(format: "%02x", $0) }.joined()
                let shape = "[" + entry.tensor.shape.map(String.init).joined(separator: ", ") + "]"
                lines.append("tensor \(file) \(entry.name) \(entry.tensor.dtype.safetensorsName) \(shape) \(hex)")
            }
        }
        return lines + ["step 1200.0", "history epoch,train_loss,train_accuracy"]
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
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    static func check(_ compression: CheckpointCompression, file: String, command: (String) -> String) throws {
        let directory = TemporaryDirectory()
        let checkpoint = Fixtures.small()
        try checkpoint.write(to: directory.file(file), compression: compression)
        try script.write(toFile: directory.file("read_checkpoint.py"), atomically: true, encoding: .utf8)
        let (status, output, errors) = try shell(command(file), in: directory.path)
        #expect(status == 0, "python3 failed: \(errors)")
        let lines = output.split(separator: "\n").map(String.init)
        let expected = expectedLines(checkpoint)
        #expect(lines == expected)
        for (got, want) in zip(lines, expected) where got != want { Issue.record("python printed \(got), expected \(want)") }
    }

    @Test(.enabled(if: python != nil, "python3 is not installed; interoperability not checked"))
    func pythonStandardLibraryReadsAnUncompressedCheckpoint() throws {
        try Self.check(.none, file: "run7.ckpt.tar") { "python3 read_checkpoint.py \($0)" }
    }

    @Test(.enabled(if: python != nil, "python3 is not installed; interoperability not checked"))
    func pythonStandardLibraryReadsAGzipCheckpoint() throws {
        try Self.check(.gzip, file: "run7.ckpt.tar.gz") { "python3 read_checkpoint.py \($0)" }
    }

    @Test(.enabled(if: python != nil && zstd != nil, "python3 or zstd is not installed; zstd interoperability not checked"))
    func pythonReadsAZstdCheckpointPipedThroughTheZstdTool() throws {
        try Self.check(.zstd, file: "run7.ckpt.tar.zst") { "zstd -dc \($0) | python3 read_checkpoint.py -" }
    }
}
