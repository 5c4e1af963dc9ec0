import Checkpoint
import Index
import Foundation

/// Where things live in a store directory (docs/daemon.md §1). Checkpoints may sit anywhere
/// below the store, in any folder layout, except in the folders the daemon owns.
public struct StoreLayout: Sendable {
    /// The store directory, absolute and without a trailing slash.
    public let root: String

    /// Where the store's index lives: `<store>/index.sqlite` unless given (`--index`).
    public let index: IndexLocation

    /// A layout over `root` (made absolute), its index at `index` or in the store.
    public init(root: String, index: IndexLocation? = nil) {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        self.root = absolute.count > 1 && absolute.hasSuffix("/") ? String(absolute.dropLast()) : absolute
        self.index = index ?? .sqlite(path: IndexStore.path(forStore: self.root))
    }

    /// The environment a child process (worker, planner) needs to open the same index.
    public var indexEnvironment: [String: String] { [IndexLocation.environmentVariable: index.environmentValue] }
    /// Unreadable files are moved here, each with a `.reason.txt` next to it.
    public var quarantineDirectory: String { DaemonProbe.quarantineDirectory(store: root) }
    /// Crashed workers' captured stderr (backtraces), one file each; hidden, so never scanned.
    public var crashDirectory: String { root + "/.sharpd/crashes" }
    /// Plugins a user drops in for this store.
    public var pluginDirectory: String { root + "/plugins" }
    /// Which daemons the lock file keeps apart: all on the store with SQLite, one host's with a
    /// shared index (`DaemonProbe.Scope`).
    public var lockScope: DaemonProbe.Scope { DaemonProbe.Scope(index.dialect) }
    /// Holds the running daemon's pid, for people and scripts; it proves nothing by itself (the
    /// lock does: `Index.DaemonProbe`).
    public var pidFile: String { DaemonProbe.pidFile(store: root, scope: lockScope) }
    /// Locked (flock) by the running daemon: one daemon per store, or per host with a shared index.
    public var lockFile: String { DaemonProbe.lockFile(store: root, scope: lockScope) }

    /// Folders below the store that never hold checkpoints to score.
    public func isIgnoredDirectory(_ path: String) -> Bool {
        path == quarantineDirectory || path == pluginDirectory || (path as NSString).lastPathComponent.hasPrefix(".")
    }

    /// True for a finished checkpoint archive's name (not a writer's temp file, not hidden).
    public static func isCheckpointName(_ name: String) -> Bool {
        name.hasSuffix(Checkpoint.fileExtension) && !name.hasPrefix(".") && !Checkpoint.isTemporaryFileName(name)
    }

    /// Every checkpoint file below the store, outside the ignored folders, sorted by path.
    public func checkpointFiles() -> [String] {
        var found: [String] = []
        var pending = [root]
        let files = FileManager.default
        while let directory = pending.popLast() {
            guard let names = try? files.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                let path = directory + "/" + name
                var isDirectory: ObjCBool = false
                guard files.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    if !isIgnoredDirectory(path) { pending.append(path) }
                } else if Self.isCheckpointName(name) {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    /// Every directory below the store the watcher must watch (the store itself included).
    public func watchedDirectories() -> [String] {
        var found: [String] = []
        var pending = [root]
        let files = FileManager.default
        while let directory = pending.popLast() {
            found.append(directory)
            guard let names = try? files.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                let path = directory + "/" + name
                var isDirectory: ObjCBool = false
                if files.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue, !isIgnoredDirectory(path) {
                    pending.append(path)
                }
            }
        }
        return found
    }
}
