import Foundation
import Testing

@testable import Checkpoint

/// Writes are all-or-nothing: a killed writer, a full disk or a failed rename never leaves a
/// partial file under the final name.
struct AtomicWriteTests {
    /// A checkpoint of about 16 MB, so the write takes several 4 MiB chunks.
    static func large() -> Checkpoint {
        var values = Values(state: 11)
        var checkpoint = Fixtures.small()
        checkpoint.modelTensors.append(NamedTensor("big.weight", values.tensor([2000, 2000])))
        return checkpoint
    }

    @Test func aWriterKilledMidWriteLeavesNoFileUnderTheFinalName() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("run7-e0040.ckpt.tar.zst")
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
            AtomicFile.afterFirstChunkForTesting = { _ in kill(getpid(), SIGKILL) }
            try Self.large().write(to: path, compression: .none)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        // The half-written temp file may remain; it is hidden and marked so scanners skip it.
        for name in directory.listing() {
            #expect(Checkpoint.isTemporaryFileName(name), "unexpected leftover \(name)")
        }
    }

    @Test func aWriterKilledWhileReplacingLeavesTheOldCheckpointIntact() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("latest.ckpt.tar.zst")
        try Fixtures.small(seed: 1).write(to: path)
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
            AtomicFile.afterFirstChunkForTesting = { _ in kill(getpid(), SIGKILL) }
            try Self.large().write(to: path, compression: .none)
        }
        #expect(Fixtures.identical(try Checkpoint.read(from: path), Fixtures.small(seed: 1)))
    }

    @Test func aFullDiskSaysSoAndNamesTheFile() throws {
        let descriptor = open("/dev/full", O_WRONLY)
        try #require(descriptor >= 0, "/dev/full is not available")
        defer { close(descriptor) }
        let bytes = [UInt8](repeating: 1, count: 1 << 16)
        let error = checkpointError {
            try bytes.withUnsafeBytes { try FileIO.writeAll($0, to: descriptor, path: "store/run7.ckpt.tar.zst") }
        }
        #expect(error?.reason == .noSpace)
        #expect(error?.description == "no space left on device writing store/run7.ckpt.tar.zst; free space and retry")
    }

    @Test(arguments: [ENOSPC, EDQUOT])
    func fullDeviceAndQuotaErrorsMapToNoSpace(code: Int32) {
        #expect(FileIO.writeError(errno: code, path: "a.ckpt", step: "write").reason == .noSpace)
    }

    @Test func otherWriteErrorsNameTheStepAndTheSystemMessage() {
        let error = FileIO.writeError(errno: EACCES, path: "store/a.ckpt.tar.zst", step: "creating store/.a.tmp")
        #expect(
            error.description
                == "store/a.ckpt.tar.zst: cannot write (creating store/.a.tmp: Permission denied); check that the directory exists and is writable"
        )
    }

    @Test func aFailedRenameRemovesTheTempFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("occupied")
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        let error = checkpointError { try Fixtures.small().write(to: path) }
        #expect(error?.description.contains("cannot write (rename: ") == true, "\(error?.description ?? "")")
        #expect(directory.listing() == ["occupied"])
    }

    @Test func writingIntoAMissingDirectoryFailsWithoutCreatingIt() {
        let directory = TemporaryDirectory()
        let path = directory.file("missing/run7.ckpt.tar.zst")
        let error = checkpointError { try Fixtures.small().write(to: path) }
        #expect(error?.description.hasPrefix("\(path): cannot write (creating ") == true)
        #expect(error?.description.contains("No such file or directory") == true)
        #expect(directory.listing().isEmpty)
    }

    /// Shared between the writer thread and the test (a lock, not the cooperative pool: on a
    /// two-core machine a detached task may not start before the reads are over).
    final class WriterState: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private var written = 0
        private var failure: (any Error)?
        var stop: Bool { lock.withLock { stopped } }
        func finish() { lock.withLock { stopped = true } }
        func wrote() { lock.withLock { written += 1 } }
        func failed(_ error: any Error) { lock.withLock { failure = error } }
        var result: (writes: Int, error: (any Error)?) { lock.withLock { (written, failure) } }
    }

    @Test func readersPollingDuringRewritesOnlyEverSeeWholeCheckpoints() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("latest.ckpt.tar.zst")
        let versions = [Fixtures.small(seed: 1), Fixtures.small(seed: 2)]
        try versions[0].write(to: path)
        let state = WriterState()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var round = 0
            while !state.stop {
                do { try versions[round % 2].write(to: path, compression: round % 3 == 0 ? .gzip : .zstd) } catch {
                    state.failed(error)
                }
                round += 1
                state.wrote()
            }
            done.signal()
        }.start()
        var reads = 0
        while reads < 60 || state.result.writes < 20 {
            let read = try Checkpoint.read(from: path)
            #expect(versions.contains { Fixtures.identical(read, $0) })
            reads += 1
        }
        state.finish()
        done.wait()
        #expect(state.result.error == nil)
        #expect(directory.listing() == ["latest.ckpt.tar.zst"])
    }
}
