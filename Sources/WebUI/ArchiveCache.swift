import Checkpoint
import Dispatch
import Foundation

/// What checkpoint pages read from archives (manifest and history), remembered by content hash
/// and file identity, with at most two archives read at once: reading one means decompressing it
/// whole (hundreds of MB for a full-size model), which a burst of requests must not multiply.
final class ArchiveCache: @unchecked Sendable {
    typealias Entry = (manifest: Manifest, manifestText: String, history: String)
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private let capacity = 64
    private let readers = DispatchSemaphore(value: 2)

    /// The manifest and history of the archive at `path` whose content hash is `sha256`.
    func manifestAndHistory(of path: String, sha256: String) throws -> Entry {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0):\((attributes?[.size] as? Int) ?? -1)"
        let key = "\(sha256)\u{0}\(path)\u{0}\(stamp)"
        if let hit = lock.withLock({ entries[key] }) { return hit }
        readers.wait()
        defer { readers.signal() }
        let entry = try Checkpoint.readManifestAndHistory(from: path)
        lock.withLock {
            if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
        return entry
    }
}
