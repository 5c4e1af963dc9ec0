import Glibc

/// Wall-clock timing with medians over repeated runs.
enum Timing {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Median seconds of `body` over `repeats` runs after `warmup` untimed runs.
    static func median(repeats: Int, warmup: Int = 1, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = now()
            body()
            samples.append(now() - start)
        }
        samples.sort()
        return samples.count % 2 == 1 ? samples[samples.count / 2] : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
    }
}
