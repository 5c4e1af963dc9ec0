import Foundation
import Glibc
import Testing

/// Unreadable files are moved to `<store>/quarantine/` with their reason; the daemon goes on.
struct DaemonQuarantineTests {
    @Test(.timeLimit(.minutes(2)))
    func corruptAndTruncatedArchivesAreQuarantinedWithTheirReasonAndTheRestIsScored() throws {
        let h = try DaemonHarness("quarantine")
        guard h.hasExecutables else { return }
        let good = try #require(h.trainTinyModel().first)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = h.store + "/truncated.ckpt.tar.zst", garbage = h.store + "/sub/garbage.ckpt.tar.zst"
        try FileManager.default.createDirectory(atPath: h.store + "/sub", withIntermediateDirectories: true)
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        try Data("this is not a checkpoint".utf8).write(to: URL(fileURLWithPath: garbage))
        // A hostile archive: its one entry names a file outside it, by an absolute path.
        let hostile = h.store + "/hostile.ckpt.tar.zst"
        let (tarred, tarOutput) = try h.run("/usr/bin/env", ["tar", "-cPf", hostile, "/etc/hostname"])
        #expect(tarred == 0, "\(tarOutput)")
        // Old enough not to look like a copy still in progress.
        let past = Date().addingTimeInterval(-3600)
        for path in [truncated, garbage, hostile] { try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path) }

        let (status, output) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "accuracy"])
        #expect(status == 1, "quarantining files is reported by the exit status:\n\(output)")
        #expect(output.contains("quarantined") && output.contains("3 quarantined"), "\(output)")
        // Each note's advice fits its reason: only an incomplete copy may come back.
        let fixes = ["truncated.ckpt.tar.zst": "fix: if it was copied in before the copy had finished, copy it again whole",
                     "garbage.ckpt.tar.zst": "then put a good copy into the store", "hostile.ckpt.tar.zst": "fix: do not move it back"]
        for (name, fix) in fixes {
            let moved = h.store + "/quarantine/" + name
            #expect(FileManager.default.fileExists(atPath: moved), "\(name) not in quarantine")
            let reason = (try? String(contentsOfFile: moved + ".reason.txt", encoding: .utf8)) ?? ""
            #expect(reason.contains("reason: ") && reason.contains("sha256: ") && reason.contains(fix), "\(reason)")
        }
        #expect(!FileManager.default.fileExists(atPath: truncated) && !FileManager.default.fileExists(atPath: garbage))
        #expect(h.scalar("SELECT count(*) FROM checkpoints WHERE status = 'quarantined' AND error IS NOT NULL") == 3)
        #expect(h.scalar("SELECT count(*) FROM metrics WHERE name = 'test_acc'") == 1)

        // The quarantine folder is not watched or rescanned: a second run has nothing to do.
        let (again, second) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "accuracy"])
        #expect(again == 0, "\(second)")

        // The same bad bytes under another name: quarantined at once, and the note says whose
        // reason it repeats.
        let copy = h.store + "/copy.ckpt.tar.zst"
        try Data("this is not a checkpoint".utf8).write(to: URL(fileURLWithPath: copy))
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: copy)
        let (third, thirdLog) = try h.run("sharpd", ["--store", "store", "--once", "--metric", "accuracy"])
        #expect(third == 1, "\(thirdLog)")
        let note = (try? String(contentsOfFile: h.store + "/quarantine/copy.ckpt.tar.zst.reason.txt", encoding: .utf8)) ?? ""
        #expect(note.contains("were quarantined before, as another file: ") && note.contains("fix: these bytes are known to be unreadable"),
                "\(note)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aFileStillBeingWrittenIsNotQuarantinedButLookedAtAgain() throws {
        let h = try DaemonHarness("settle")
        guard h.hasExecutables else { return }
        let good = try #require(h.trainTinyModel(into: h.root + "/elsewhere").first)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let daemon = try h.start("sharpd", ["--store", "store", "--metric", "accuracy"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(h.wait(seconds: 10) { FileManager.default.fileExists(atPath: h.store + "/sharpd.pid") })
        // A slow copy: half the bytes, a close (IN_CLOSE_WRITE fires), then the rest.
        let target = h.store + "/slow-copy.ckpt.tar.zst"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: target))
        usleep(500_000)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes.suffix(from: bytes.count / 2))
        try handle.close()
        #expect(h.wait(seconds: 30) { h.scalar("SELECT count(*) FROM metrics WHERE name = 'test_acc'") == 1 }, "\(h.log(of: daemon))")
        #expect(!FileManager.default.fileExists(atPath: h.store + "/quarantine/slow-copy.ckpt.tar.zst"))
        daemon.terminate()
        daemon.waitUntilExit()
    }
}
