import Checkpoint
import Foundation
import Hashing
import Index
import IndexRecords

/// Brings one file into the index: hash it, recognise bytes already indexed (a copy or rename
/// adds a path, nothing is rescored), otherwise read and validate the whole archive, index its
/// manifest and queue its metric jobs. Unreadable files go to quarantine, unless they were
/// modified moments ago: a file still being copied in is looked at again when it is complete.
/// A file whose `FileIdentity` is what it was when last hashed is not read at all: a restart
/// over a large store costs a `stat` per file, not a read. With several daemons, only the one that
/// holds the file's intake claim reads it; the others look again once it is indexed.
struct CheckpointIntake {
    let layout: StoreLayout
    let index: IndexStore
    let log: DaemonLog
    /// The daemon's id, the holder of its intake claims.
    let holder: String
    /// How long an intake claim lasts (the daemon's lease): a daemon that dies while reading a
    /// file leaves it to the others after this.
    let claimLease: TimeInterval
    /// How soon to look again at a file another daemon is reading.
    var claimRetry: TimeInterval = 2
    /// A file younger than this that fails to read is presumed still being written.
    var settleSeconds: TimeInterval = 10
    /// A file changed less than this long ago is read again next time even if its identity is
    /// the same: file times tick coarsely (milliseconds), so a rewrite of equal size within one
    /// tick would leave the identity as it was (git's "racily clean" problem).
    var identityMargin: TimeInterval = 2

    /// What became of a file.
    enum Outcome: Equatable {
        /// New content, indexed; `queued` jobs were added.
        case indexed(id: Int64, queued: Int)
        /// Content already indexed; the path was recorded (and missing jobs queued).
        case known(id: Int64, queued: Int)
        /// The file is unchanged since its bytes were indexed (not read again); missing jobs queued.
        case unchanged(id: Int64, queued: Int)
        /// Unreadable; moved to quarantine.
        case quarantined(reason: String)
        /// Unreadable but recent: look again at `retryAt`.
        case deferred(retryAt: Date)
        /// Gone before it could be read, or not a regular file.
        case vanished
        /// Another daemon is reading it: look again at `retryAt`.
        case claimedElsewhere(retryAt: Date)
    }

    /// Examines `path`, queueing `plan` for it at `priority`.
    func examine(_ path: String, plan: [PlannedMetric], priority: Int, now: Date = Date()) throws -> Outcome {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { return .vanished }
        let modified = (attributes[.modificationDate] as? Date) ?? now
        let identity = FileIdentity(path: path)
        if let identity, let id = try index.checkpointID(unchangedFileAt: path, identity: identity.text) {
            try index.addPath(path, checkpointID: id, at: now)
            let queued = try index.enqueueJobs(checkpointID: id, plugins: plan.map(\.key), priority: priority, at: now)
            return .unchanged(id: id, queued: queued)
        }
        guard try index.claimIntake(path: path, holder: holder, lease: claimLease) else {
            return .claimedElsewhere(retryAt: now.addingTimeInterval(claimRetry))
        }
        // The claim is kept while the file's identity cannot be recorded yet (it changed moments
        // ago): until the holder looks again (`recheckTime`), the others keep waiting.
        var keepClaim = false
        defer { if !keepClaim { try? index.releaseIntake(path: path, holder: holder) } }
        let bytes: [UInt8]
        do {
            bytes = try Self.readAll(path, maxBytes: CheckpointReadLimits.default.maxArchiveBytes)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return .vanished
        } catch {
            return try unreadable(path, error: error, bytes: nil, modified: modified, now: now)
        }
        var hasher = SHA256()
        hasher.update(bytes)
        let sha = SHA256.hexString(hasher.finalize())
        if let known = try index.checkpointStatus(sha256: sha) {
            if known.status == "quarantined" {
                // The recorded reason names the file those bytes were first found in: say so.
                let reason = "the same bytes (sha256 \(sha.prefix(12))…) were quarantined before, as another file: "
                    + (known.error ?? "unreadable")
                return try moveToQuarantine(path, sha: sha, size: bytes.count, reason: reason,
                                            fix: "these bytes are known to be unreadable: put a good copy into the store instead")
            }
            try index.addPath(path, checkpointID: known.id, at: now)
            keepClaim = !(try remember(identity, of: path))
            let queued = try index.enqueueJobs(checkpointID: known.id, plugins: plan.map(\.key), priority: priority, at: now)
            return .known(id: known.id, queued: queued)
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.read(bytes: bytes, source: path)
        } catch {
            return try unreadable(path, error: error, bytes: bytes, sha: sha, modified: modified, now: now)
        }
        let record = CheckpointRecord(manifest: checkpoint.manifest, sha256: sha, sizeBytes: bytes.count)
        let upsert = try index.upsertCheckpoint(record, path: path, at: now)
        keepClaim = !(try remember(identity, of: path))
        let queued = try index.enqueueJobs(checkpointID: upsert.id, plugins: plan.map(\.key), priority: priority, at: now)
        return upsert.isNew ? .indexed(id: upsert.id, queued: queued) : .known(id: upsert.id, queued: queued)
    }

    /// Records `identity` (taken before the read) for `path` if the file still has it and has
    /// not changed in the last `identityMargin` seconds: a file rewritten while it was read, or
    /// just now, keeps no identity and is read again next time. True when recorded.
    private func remember(_ identity: FileIdentity?, of path: String) throws -> Bool {
        guard let identity, FileIdentity(path: path) == identity, recheckTime(of: identity) == nil else { return false }
        try index.recordFileIdentity(identity.text, path: path)
        return true
    }

    /// When a file that changed moments ago can have its identity recorded (then it is read
    /// once more); nil when it can be now.
    func recheckTime(of identity: FileIdentity) -> Date? {
        let settled = identity.changedAt + identityMargin
        return Date().timeIntervalSince1970 >= settled ? nil : Date(timeIntervalSince1970: settled + 0.5)
    }

    private func unreadable(_ path: String, error: Error, bytes: [UInt8]?, sha: String? = nil, modified: Date, now: Date)
        throws -> Outcome
    {
        let reason = "\(error)"
        if now.timeIntervalSince(modified) < settleSeconds {
            return .deferred(retryAt: modified.addingTimeInterval(settleSeconds + 0.5))
        }
        let digest = sha ?? bytes.map { b in
            var hasher = SHA256()
            hasher.update(b)
            return SHA256.hexString(hasher.finalize())
        } ?? "unread:" + path
        return try moveToQuarantine(path, sha: digest, size: bytes?.count ?? 0, reason: reason,
                                    fix: (error as? CheckpointError)?.reason.quarantineFix)
    }

    /// Moves the file into `<store>/quarantine/` with a `.reason.txt` beside it, and records it.
    /// `fix`: what to do about it, when the reason says more than "unreadable".
    func moveToQuarantine(_ path: String, sha: String, size: Int, reason: String, fix: String? = nil) throws -> Outcome {
        let destination = try Quarantine(layout: layout).move(path, reason: reason, sha256: sha, fix: fix)
        try index.recordUnreadableFile(sha256: sha, path: destination ?? path, sizeBytes: size, reason: reason, at: Date())
        if destination != nil { try? index.markPathMissing(path, at: Date()) }
        log.warning("quarantined \(path): \(reason)" + (destination.map { " (now \($0))" } ?? " (could not be moved)"))
        return .quarantined(reason: reason)
    }

    /// The whole file, refusing anything over `maxBytes`.
    static func readAll(_ path: String, maxBytes: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        guard data.count <= maxBytes else {
            throw DaemonError.store("\(path) is larger than the \(maxBytes >> 20) MiB a checkpoint may be")
        }
        return [UInt8](data)
    }
}

/// `<store>/quarantine/`: where unreadable files are kept (never deleted) with their reason.
struct Quarantine {
    let layout: StoreLayout

    /// Moves `path` in (renamed with a number if the name is taken) and writes the reason file;
    /// returns the new path, or nil when the file could not be moved (then it stays put, and the
    /// index still records it as unreadable).
    func move(_ path: String, reason: String, sha256: String, fix: String? = nil) throws -> String? {
        let files = FileManager.default
        try? files.createDirectory(atPath: layout.quarantineDirectory, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        var destination = layout.quarantineDirectory + "/" + name
        var n = 1
        while files.fileExists(atPath: destination) {
            destination = layout.quarantineDirectory + "/" + name + ".\(n)"
            n += 1
        }
        guard rename(path, destination) == 0 else { return nil }
        let note = """
            file: \(path)
            sha256: \(sha256)
            quarantined_at: \(ISO8601DateFormatter().string(from: Date()))
            reason: \(reason)
            fix: \(fix ?? "if the file is fine (e.g. it was copied in before the copy had finished), move it back into the store")

            """
        try? note.write(toFile: destination + ".reason.txt", atomically: true, encoding: .utf8)
        return destination
    }
}
