import Foundation
import Index
import PluginHost

/// The store side: watches, the start-up scan, and turning file events into index rows.
extension Daemon {
    /// Watches every directory of the store and every plugin directory that exists.
    func watchStore() throws {
        for directory in layout.watchedDirectories() { try watcher.watch(directory) }
        pluginDirectories = PluginSearchPath.standard(store: layout.root).entries.map(\.path)
        for directory in pluginDirectories where FileManager.default.fileExists(atPath: directory) {
            try? watcher.watch(directory)
        }
    }

    /// Looks at every checkpoint file now, and notes paths the index thinks present that are
    /// gone (deleted while the daemon was down, or by another host). `onlyChanged` (the periodic
    /// rescan) skips files whose identity is the one the index recorded: one query and a `stat`
    /// per file, no reads. Leases are renewed between files, so a long scan keeps them.
    func scanStore(priority: Int, onlyChanged: Bool = false) throws {
        let files = layout.checkpointFiles()
        let known = onlyChanged ? try index.knownFileIdentities() : [:]
        for path in files {
            if let identity = known[path], FileIdentity(path: path)?.text == identity { continue }
            try examine(path, priority: priority)
            try renewLeasesIfDue()
            notifier.keepAlive()  // a long scan neither trips the watchdog nor the start timeout
        }
        let present = Set(files)
        for path in try index.presentPaths() where !present.contains(path) && path.hasPrefix(layout.root + "/") {
            if !FileManager.default.fileExists(atPath: path) { try index.markPathMissing(path, at: Date()) }
        }
    }

    /// Reacts to inotify events: new files are examined, removed ones marked missing, new
    /// directories watched and scanned, changed plugin files trigger a re-plan.
    func handle(events: [InotifyWatcher.Event]) throws {
        for event in events {
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                log.warning("inotify queue overflowed; rescanning the store")
                try scanStore(priority: JobPriority.newCheckpoint)
                continue
            }
            let directory = (event.path as NSString).deletingLastPathComponent
            if pluginDirectories.contains(directory) {
                if event.name.hasSuffix(".so"), event.isFileReady || event.isRemoval {
                    replanAt = Date().addingTimeInterval(1)  // let a copy of several files settle
                }
                if directory != layout.pluginDirectory || !event.path.hasPrefix(layout.root) { continue }
            }
            if event.isNewDirectory, !isIgnored(event.path + "/x"), event.path.hasPrefix(layout.root) {
                // `mkdir -p a/b/c` creates b and c before a's watch exists: watch the whole new
                // tree, and look at what is already in it.
                for directory in StoreLayout(root: event.path).watchedDirectories() where !isIgnored(directory + "/x") {
                    try watcher.watch(directory)
                }
                for path in StoreLayout(root: event.path).checkpointFiles() where !isIgnored(path) { pendingFiles[path] = Date() }
            } else if event.isFileReady, StoreLayout.isCheckpointName(event.name), !isIgnored(event.path) {
                pendingFiles[event.path] = Date()
            } else if event.isRemoval, StoreLayout.isCheckpointName(event.name) {
                pendingFiles[event.path] = nil
                try index.markPathMissing(event.path, at: Date())
            }
        }
    }

    private func isIgnored(_ path: String) -> Bool {
        var directory = (path as NSString).deletingLastPathComponent
        while directory.hasPrefix(layout.root), directory != layout.root {
            if layout.isIgnoredDirectory(directory) { return true }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return false
    }

    /// Examines the files whose time has come.
    func examineDueFiles() throws {
        let now = Date()
        for (path, due) in pendingFiles where due <= now {
            pendingFiles[path] = nil
            try examine(path, priority: JobPriority.newCheckpoint)
            try renewLeasesIfDue()  // a burst of large new files must not outlast the leases
        }
    }

    /// Brings one file into the index (see `CheckpointIntake`).
    func examine(_ path: String, priority: Int) throws {
        do {
            let outcome = try intake.examine(path, plan: plan, priority: priority)
            switch outcome {
            case .indexed, .known:
                // Indexed moments after it changed: look once more when its identity can be
                // recorded (this daemon still holds the file's intake claim until then).
                if let identity = FileIdentity(path: path), let at = intake.recheckTime(of: identity) { pendingFiles[path] = at }
            default: break
            }
            switch outcome {
            case .indexed(let id, let queued):
                tally.indexed += 1
                DaemonMetrics.checkpointIndexed()
                log.info("indexed \(path) (checkpoint \(id)); \(queued) job(s) queued", ["path": "\(path)", "checkpoint_id": .stringConvertible(id)])
            case .known(let id, let queued):
                log.debug("known bytes at \(path) (checkpoint \(id)); \(queued) job(s) queued")
            case .unchanged(let id, let queued):
                if queued > 0 { log.debug("\(path) unchanged (checkpoint \(id)); \(queued) job(s) queued") }
            case .quarantined:
                tally.quarantined += 1
                DaemonMetrics.checkpointQuarantined()
            case .deferred(let retryAt):
                log.debug("\(path) does not read yet; looking again at \(retryAt)")
                pendingFiles[path] = retryAt
            case .claimedElsewhere(let retryAt):
                log.debug("another sharpd is reading \(path); looking again at \(retryAt)")
                pendingFiles[path] = retryAt
            case .vanished:
                break
            }
        } catch let error as IndexError where error.isTransient {
            log.warning("the index is unavailable while indexing \(path) (\(error.message)); trying again in 5 s")
            pendingFiles[path] = Date().addingTimeInterval(5)
        }
    }
}
