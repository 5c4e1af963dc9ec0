import Autodiff
import Foundation

/// Keeps each batch's recorded first-order graph (`Linearization`) at the checkpoint's weights
/// while memory allows, so repeated Hessian-vector products replay only the second sweep
/// instead of redoing the forward and first backward pass (docs/algorithms.md#hessian-vector-products).
///
/// The budget is measured, not estimated: a graph's size depends on the model, the batch and
/// the autodiff internals, so the cache compares the process's resident memory with what it was
/// when the cache was made and stops admitting graphs once the growth passes the budget. Cached
/// or not, a product is computed by the same operations, so the budget never changes a result.
final class LinearizationCache {
    let budgetBytes: Int
    private let baselineBytes: Int
    private var entries: [Int: Linearization] = [:]
    private(set) var isFull = false

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
        baselineBytes = Self.residentBytes()
        isFull = budgetBytes <= 0
    }

    /// The graph of batch `id`, if cached.
    subscript(id: Int) -> Linearization? { entries[id] }

    /// Number of cached graphs.
    var count: Int { entries.count }

    /// Keeps `linearization` for batch `id` if the budget allows.
    func offer(_ linearization: Linearization, for id: Int) {
        guard !isFull else { return }
        if Self.residentBytes() - baselineBytes > budgetBytes {
            isFull = true
            return
        }
        entries[id] = linearization
    }

    /// Drops every graph (e.g. before a metric that needs the memory for its own basis).
    func removeAll() {
        entries.removeAll()
        isFull = budgetBytes <= 0
    }

    /// Resident set size of this process (`/proc/self/statm`), 0 where unavailable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
