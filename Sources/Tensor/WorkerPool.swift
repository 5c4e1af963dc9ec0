import CKernels
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The threads that run Sharp's parallel loops (Parallel.forEachChunk, split GEMMs, convolutions
/// over images): the caller and `Parallel.threads − 1` workers that live as long as the process.
///
/// A gradient of a mini model runs a few hundred parallel loops of 10–100 µs each. Through
/// `DispatchQueue.concurrentPerform` every one of them woke a sleeping thread (a futex wake and a
/// context switch), and that scheduling was a sixth of a transformer's gradient. Here a worker
/// that has finished a loop spins (with the CPU's pause hint) for up to `spinLimit` before it
/// blocks, so back-to-back loops start without a wake-up, as OpenMP runtimes do; a process that
/// stops computing puts its workers to sleep within that time. Spinning threads yield the CPU
/// every few microseconds: when more threads want to run than there are cores (`sharp study`
/// training while `sharpd` scores), a pure spin held a core that the thread it waited for
/// needed, and a quick study ran at half speed.
///
/// Iterations are claimed from a shared counter, so which thread runs an iteration varies, but
/// every iteration's work is fixed by its index: results do not depend on the scheduling. A loop
/// started while another is running (a nested loop, or a second calling thread) runs on its
/// caller's thread alone.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// The workers' thread name (`top -H`, /proc/PID/task/*/comm).
    static let threadName = "sharp-worker"

    /// How long an idle worker spins before it blocks.
    static let spinLimit: Duration = .microseconds(200)

    /// One parallel loop. Workers that arrive late find every iteration claimed and leave
    /// without touching `body`, which the caller clears before returning.
    private final class Job: @unchecked Sendable {
        let count: Int
        var body: ((Int) -> Void)?
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)

        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        func work() {
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { return }
                body?(i)
                finished.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    /// Set while a loop runs: a second loop meanwhile runs serially on its own thread.
    private let busy = Atomic<Bool>(false)
    /// Bumped (under `lock`) for every new loop; workers spin on it.
    private let generation = Atomic<Int>(0)
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `lock`.
    private var current: Job?
    private var sleepers = 0
    /// Workers started so far; only the thread holding `busy` starts more.
    private var started = 0

    private init() {
        lock = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(i)` for every i in 0..<iterations, on up to `Parallel.threads` threads, and
    /// returns when all have finished.
    func run(_ iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 1, Parallel.threads > 1,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for i in 0..<iterations { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startWorkers(upTo: min(iterations, Parallel.threads) - 1)
        withoutActuallyEscaping(body) { body in
            let job = Job(count: iterations, body: body)
            pthread_mutex_lock(lock)
            current = job
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(lock)
            job.work()
            var spins = 0
            while job.finished.load(ordering: .acquiring) < iterations { Self.relax(&spins) }
            pthread_mutex_lock(lock)
            job.body = nil
            if current === job { current = nil }
            pthread_mutex_unlock(lock)
        }
    }

    /// One round of a spin-wait: the pause hint, and every 64th round `sched_yield`, so a thread
    /// that another runnable thread on this core is waiting for gets the core.
    @inline(__always)
    private static func relax(_ spins: inout Int) {
        spins += 1
        if spins & 63 == 0 { sched_yield() } else { sharp_spin_pause() }
    }

    private func startWorkers(upTo count: Int) {
        while started < count {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let result = pthread_create(&thread, nil, { context in
                let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                pool.workerLoop()
            }, context)
            guard result == 0 else {
                Unmanaged<WorkerPool>.fromOpaque(context).release()
                return  // fewer workers: the caller and the others claim their iterations
            }
            pthread_detach(thread)
            started += 1
        }
    }

    private func workerLoop() -> Never {
        sharp_name_this_thread(Self.threadName)
        var seen = generation.load(ordering: .acquiring)
        let clock = ContinuousClock()
        while true {
            var spinning = clock.now
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                Self.relax(&spins)
                if spins & 255 == 0 && clock.now - spinning > Self.spinLimit {
                    pthread_mutex_lock(lock)
                    sleepers += 1
                    while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(wake, lock) }
                    sleepers -= 1
                    pthread_mutex_unlock(lock)
                    spinning = clock.now
                }
            }
            pthread_mutex_lock(lock)
            let job = current
            seen = generation.load(ordering: .acquiring)
            pthread_mutex_unlock(lock)
            job?.work()
        }
    }
}
