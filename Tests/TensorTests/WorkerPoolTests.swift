import Foundation
import Testing

@testable import Tensor

/// The persistent worker threads behind Parallel (Sources/Tensor/WorkerPool.swift).
struct WorkerPoolTests {
    /// Every iteration runs exactly once, over many back-to-back loops of every small size.
    @Test func everyIterationRunsExactlyOnce() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = max(2, saved)
        for round in 0..<2_000 {
            let count = 2 + round % 37
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
            hits.initialize(repeating: 0, count: count)
            defer { hits.deallocate() }
            WorkerPool.shared.run(count) { i in hits[i] += 1 }  // each index is written by one thread only
            if (0..<count).contains(where: { hits[$0] != 1 }) {
                Issue.record("round \(round): counts \((0..<count).map { hits[$0] })")
                return
            }
        }
    }

    /// A loop inside a loop, and loops from several threads at once, finish (the ones that find
    /// the pool busy run on their own thread) with every iteration run once.
    @Test func nestedAndConcurrentLoopsFinish() async {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = max(2, saved)
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 8)
        inner.initialize(repeating: 0, count: 64)
        defer { inner.deallocate() }
        WorkerPool.shared.run(8) { i in WorkerPool.shared.run(8) { j in inner[i * 8 + j] += 1 } }
        #expect((0..<64).allSatisfy { inner[$0] == 1 })

        let totals = await withTaskGroup(of: Int.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    var total = 0
                    for _ in 0..<300 {
                        let sums = UnsafeMutablePointer<Int>.allocate(capacity: 5)
                        sums.initialize(repeating: 0, count: 5)
                        WorkerPool.shared.run(5) { i in sums[i] = i + caller }
                        total += (0..<5).reduce(0) { $0 + sums[$1] }
                        sums.deallocate()
                    }
                    return total - 300 * (10 + 5 * caller)
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals == [0, 0, 0, 0])
    }

    /// Idle workers stop spinning and block: some moment within two seconds finds every
    /// `sharp-worker` thread asleep (other suites in this process may be running loops).
    @Test func idleWorkersGoToSleep() throws {
        let saved = Parallel.threads
        Parallel.threads = max(2, saved)
        WorkerPool.shared.run(2) { _ in }  // starts a worker if none exists yet
        Parallel.threads = saved
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let workers = tasks.filter {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix(WorkerPool.threadName) == true
        }
        try #require(!workers.isEmpty, "no thread named \(WorkerPool.threadName)")
        for _ in 0..<200 {
            Thread.sleep(forTimeInterval: 0.01)
            let states = workers.map { task -> String in
                // /proc/.../stat: "pid (comm) STATE ..."; comm has no ')' here.
                let stat = (try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8)) ?? ""
                return stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "?"
            }
            if states.allSatisfy({ $0 == "S" }) { return }
        }
        Issue.record("the workers never all slept within two seconds")
    }
}
