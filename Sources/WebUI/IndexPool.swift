import Foundation
import Index

/// Read-only index connections for concurrent requests. An `IndexStore` is one connection and not
/// thread-safe, so a request borrows one for its whole duration; idle ones are kept (at most
/// `maxIdle`) because opening one prepares statements anew. SQLite in WAL mode lets the readers
/// run side by side with the daemon's writer.
final class IndexPool: @unchecked Sendable {
    let location: IndexLocation
    private let lock = NSLock()
    private var idle: [IndexStore] = []
    private let maxIdle = 4

    init(location: IndexLocation) {
        self.location = location
    }

    /// Runs `body` with a connection of its own. A connection whose request failed is closed, not
    /// kept: the failure may have been the connection's (a PostgreSQL server that went away).
    func with<T>(_ body: (IndexStore) throws -> T) throws -> T {
        let index = try lock.withLock { idle.popLast() } ?? IndexStore(location, mode: .readOnly)
        let result = try body(index)
        lock.withLock {
            if idle.count < maxIdle { idle.append(index) }
        }
        return result
    }
}
