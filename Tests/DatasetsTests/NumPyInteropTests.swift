import Foundation
import Testing

@testable import Datasets

/// An `.npz` written by NumPy itself (`savez_compressed`) is read to exactly the pixels NumPy
/// computes, proven by a fingerprint computed in Python with the documented byte layout.
/// Skipped when `python3` with NumPy is not installed.
@Suite struct NumPyInteropTests {
    /// `python3` as found on PATH (through /usr/bin/env), which may be a virtualenv with NumPy.
    static let hasNumPy = (try? run(["-c", "import numpy"])) != nil

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let script = """
        import hashlib, struct, sys, numpy as np
        rng = np.random.default_rng(0)
        parts = {k: (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 2, (n, 1), dtype=np.uint8))
                 for k, n in [("train", 20), ("val", 4), ("test", 8)]}
        np.savez_compressed(sys.argv[1], **{f"{k}_{w}": v[i] for k, v in parts.items() for i, w in enumerate(["images", "labels"])})
        images = np.concatenate([v[0] for v in parts.values()]).astype(np.float32) / np.float32(255)
        labels = [int(x) for v in parts.values() for x in v[1].ravel()]
        u = lambda xs: b"".join(struct.pack("<Q", x) for x in xs)
        h = hashlib.sha256(b"sharp.dataset.v1\\n")
        h.update(u([4, len(labels), 1, 28, 28]) + u([len(labels)] + labels) + images.astype("<f4").tobytes())
        h.update(u([2]) + u([1]) + b"0" + u([1]) + b"1")
        print(h.hexdigest())
        """

    @Test(.enabled(if: hasNumPy)) func numpySavezCompressedFileHasTheFingerprintNumPyComputes() throws {
        let directory = TestData.temporaryDirectory("numpy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("breast.npz").path
        let expected = try Self.run(["-c", Self.script, path])
        let d = try DatasetSpec.npz(path, size: 28).build()
        #expect(d.fingerprint == expected)
        #expect(d.trainIndices.count == 20 && d.validationIndices.count == 4 && d.testIndices.count == 8)
    }
}
