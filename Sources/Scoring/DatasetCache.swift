import Datasets
import Foundation

/// The datasets this process has rebuilt for checkpoints, by spec and fingerprint, so scoring
/// several checkpoints of one dataset (`sharp score` with many checkpoints, a daemon worker, the
/// study) renders and hashes it once: rebuilding bus-synth (2,405 phantoms, SHA-256 over the
/// pixels) took 2–3 s of every `sharp score` run, as long as a reduced-budget metric.
///
/// An entry was built and checked against its fingerprint when it was made; later hits trust
/// that check (a folder edited while the process runs is not re-read). Keeps the two most recent
/// datasets. Thread-safe.
enum DatasetCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [(spec: DatasetSpec, fingerprint: String, dataset: Dataset)] = []
    static let capacity = 2

    /// The dataset for `spec` with content `fingerprint`: cached, or built (and checked) by `build`.
    static func dataset(_ spec: DatasetSpec, fingerprint: String, build: () throws -> Dataset) throws -> Dataset {
        if let hit = lookup(spec, fingerprint) { return hit }
        // Built outside the lock: two threads may both build a dataset the first time; both get
        // identical data, and one copy is kept.
        let dataset = try build()
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.spec == spec && $0.fingerprint == fingerprint }
        entries.append((spec, fingerprint, dataset))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return dataset
    }

    private static func lookup(_ spec: DatasetSpec, _ fingerprint: String) -> Dataset? {
        lock.lock()
        defer { lock.unlock() }
        guard let i = entries.firstIndex(where: { $0.spec == spec && $0.fingerprint == fingerprint }) else { return nil }
        let entry = entries.remove(at: i)
        entries.append(entry)  // most recently used last
        return entry.dataset
    }

    /// Forgets every dataset (tests; a long-lived process that wants the memory back).
    static func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll()
    }
}
