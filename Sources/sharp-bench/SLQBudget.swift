import Foundation
import JSON
import PluginKit
import Scoring
import Training

/// What `hessian-spectrum`'s budget (runs × steps) buys, measured on real checkpoints
/// (docs/metrics.md §How the SLQ budget was chosen).
///
/// `pool` runs Lanczos `runs` times for `steps` steps from the plugin's own starts (run r is
/// stream r of seed 0) over the command lines' default evaluation data (128 training samples,
/// evaluation mode, Float32 model) and keeps each run's T. Every smaller budget (r runs, m steps)
/// is then a prefix of that pool: Lanczos is deterministic given its start, so the first m steps
/// of a long run are an m-step run, and runs 0..<r are what the plugin would draw. `analyse`
/// reads pools and compares budgets without a single further product.
enum SLQBudget {
    /// One checkpoint's runs, as written to disk.
    struct Pool: Codable {
        var checkpoint: String
        var model: String
        var parameters: Int
        var samples: Int
        var batchSize: Int
        var seed: UInt64
        var seconds: Double
        var cpu: String
        var alpha: [[Double]]
        var beta: [[Double]]

        func runs() throws -> [StochasticLanczosQuadrature.Run] {
            try zip(alpha, beta).map { try StochasticLanczosQuadrature.Run(alpha: $0, beta: $1) }
        }
    }

    /// `runs` × `steps` Lanczos on the checkpoint at `path`; `log` sees each run as it ends.
    static func pool(checkpoint path: String, runs: Int, steps: Int, log: (String) -> Void) throws -> Pool {
        let subject = try ScoringSubject(path: path)
        var options = EvaluationOptions.commandLineDefaults
        options.memoryBytes = EvaluationOptions.defaultMemoryBytes
        let context = try EvaluationContext(subject: subject, options: options)
        let n = context.weights.count, ids = context.evaluationBatches
        let op = HessianOperator(dimension: n) { v in
            var out = [Double](repeating: 0, count: n)
            try v.withUnsafeBufferPointer { vp in
                try out.withUnsafeMutableBufferPointer { try context.hessianVectorProduct(ids, at: nil, vector: vp, into: $0) }
            }
            return out
        }
        let started = Date()
        var pool = Pool(checkpoint: (path as NSString).lastPathComponent, model: subject.manifest.model.name, parameters: n,
                        samples: context.evaluationSampleCount, batchSize: context.batchSize, seed: options.seed, seconds: 0,
                        cpu: [Trainer.software.cpu, Trainer.software.blas].compactMap { $0 }.joined(separator: ", "), alpha: [], beta: [])
        for r in 0..<runs {
            let run = try StochasticLanczosQuadrature.run(op, stream: UInt64(r), steps: steps, seed: options.seed)
            pool.alpha.append(run.alpha)
            pool.beta.append(run.beta)
            log(String(format: "%@: run %d of %d, %d steps, %.0f s so far", pool.model, r + 1, runs, run.products,
                       Date().timeIntervalSince(started)))
        }
        pool.seconds = Date().timeIntervalSince(started)
        return pool
    }
}

extension SLQBudget {
    /// The statistics `hessian-spectrum` reports, by name; the first three are the study's.
    static let statistics: [(name: String, value: @Sendable (WeightedDistribution) -> Double)] = [
        ("mean", { $0.mean }), ("median", { $0.median }), ("sd", { $0.standardDeviation }),
        ("q05", { $0.quantile(0.05) }), ("q25", { $0.quantile(0.25) }), ("q75", { $0.quantile(0.75) }), ("q95", { $0.quantile(0.95) }),
    ]

    /// A pool cut to every prefix length that a budget may ask for.
    struct Prefixes {
        let pool: Pool
        let longest: Int
        /// rules[m][r]: run r's rule after m steps.
        let rules: [Int: [StochasticLanczosQuadrature.Run]]

        init(_ pool: Pool, steps: Set<Int>) throws {
            self.pool = pool
            let full = try pool.runs()
            longest = full.map(\.alpha.count).min() ?? 0
            var rules: [Int: [StochasticLanczosQuadrature.Run]] = [:]
            for m in steps.union([longest]) where m <= longest { rules[m] = try full.map { try $0.prefix(m) } }
            self.rules = rules
        }

        var runCount: Int { pool.alpha.count }

        /// What the plugin computes from runs `runs` after `steps` steps: the pooled distribution
        /// and each run's own.
        func estimate(runs: Range<Int>, steps: Int) -> (pooled: WeightedDistribution, perRun: [WeightedDistribution]) {
            estimate(runs: runs, steps: [Int](repeating: steps, count: runCount))
        }

        /// The same with run r stopped after `steps[r]` steps.
        func estimate(runs: Range<Int>, steps: [Int]) -> (pooled: WeightedDistribution, perRun: [WeightedDistribution]) {
            let chosen = runs.map { rules[steps[$0]]![$0] }
            return (StochasticLanczosQuadrature.pooled(chosen), chosen.map { WeightedDistribution(values: $0.nodes, weights: $0.weights) })
        }

        /// Where each run stops under `StochasticLanczosQuadrature.run`'s settling rule with
        /// `settle`, capped at `cap` steps (replayed on the pool's prefixes: the same decisions).
        func settlingSteps(_ settle: Double, cap: Int) -> [Int] {
            let interval = StochasticLanczosQuadrature.settleInterval
            return (0..<runCount).map { r in
                var j = 2 * interval
                while j < cap {
                    let now = estimate(runs: r..<(r + 1), steps: j).pooled, before = estimate(runs: r..<(r + 1), steps: j - interval).pooled
                    if now.wasserstein1(to: before) <= settle * now.absoluteMean { return j }
                    j += interval
                }
                return cap
            }
        }
    }

    /// How one budget of `runs` × `steps` fares on one pool. The reference is every run of the
    /// pool at its full length; a budget's own estimates are the disjoint blocks of `runs` runs.
    struct Verdict {
        let runs: Int, steps: Int, products: Int
        /// Per statistic: the truncation shift, all runs at `steps` minus all runs at full length
        /// (the same starts, so no sampling noise in it)...
        let shift: [Double]
        /// ...and the standard error a budget of `runs` runs reports (spread over runs / √runs,
        /// the spread taken from all runs at `steps`).
        let standardError: [Double]
        /// The reference's value of each statistic.
        let reference: [Double]
        /// W1 distances over the reference's E|λ| (its W1 distance from the all-zero spectrum):
        /// truncation (all runs at `steps` vs the reference), sampling (a block vs all runs, both at
        /// `steps`) and total (a block vs the reference), the last two averaged over blocks.
        let w1Truncation: Double, w1Sampling: Double, w1Total: Double
        func shiftInSE(_ i: Int) -> Double { shift[i] / standardError[i] }
        func relativeSE(_ i: Int) -> Double { standardError[i] / abs(reference[i]) }
    }

    static func verdict(_ p: Prefixes, runs r: Int, steps m: Int) -> Verdict {
        verdict(p, runs: r, steps: [Int](repeating: m, count: p.runCount))
    }

    /// The same with run i stopped after `stepsOf[i]` steps (`steps` is then the mean over the
    /// first `r` runs, so `products` is what the plugin would spend).
    static func verdict(_ p: Prefixes, runs r: Int, steps stepsOf: [Int]) -> Verdict {
        let all = 0..<p.runCount
        let reference = p.estimate(runs: all, steps: p.longest).pooled
        let scale = reference.absoluteMean
        let truncated = p.estimate(runs: all, steps: stepsOf)
        let blocks = (0..<(p.runCount / r)).map { p.estimate(runs: ($0 * r)..<($0 * r + r), steps: stepsOf).pooled }
        return Verdict(
            runs: r, steps: stepsOf.prefix(r).reduce(0, +) / r, products: stepsOf.prefix(r).reduce(0, +),
            shift: statistics.map { $0.value(truncated.pooled) - $0.value(reference) },
            standardError: statistics.map { SampleStatistics.standardDeviation(truncated.perRun.map($0.value)) / Double(r).squareRoot() },
            reference: statistics.map { $0.value(reference) },
            w1Truncation: truncated.pooled.wasserstein1(to: reference) / scale,
            w1Sampling: SampleStatistics.mean(blocks.map { $0.wasserstein1(to: truncated.pooled) }) / scale,
            w1Total: SampleStatistics.mean(blocks.map { $0.wasserstein1(to: reference) }) / scale)
    }
}

extension SLQBudget {
    static let namedBudgets = [(10, 90, "default"), (5, 80, "candidate"), (4, 40, "paper"), (2, 12, "quick")]
    static let runChoices = [2, 4, 5, 8, 16]
    static let stepChoices = [5, 10, 20, 30, 40, 60, 80, 90, 120]
    static let settleChoices = [0.3, 0.2, 0.1]
    static let settleCap = 120

    /// The whole comparison for `pools`, as text.
    static func report(_ pools: [Pool]) throws -> [String] {
        var lines: [String] = []
        let steps = Set(stepChoices + namedBudgets.map(\.1) + Array(stride(from: 10, through: settleCap, by: StochasticLanczosQuadrature.settleInterval)))
        func f(_ x: Double, _ format: String = "%7.3f") -> String { String(format: format, x) }
        for pool in pools {
            let p = try Prefixes(pool, steps: steps)
            let reference = p.estimate(runs: 0..<p.runCount, steps: p.longest)
            lines.append("")
            lines.append("\(pool.model) (\(pool.checkpoint)): n = \(pool.parameters), \(pool.samples) samples in batches of \(pool.batchSize);"
                         + " reference \(p.runCount) runs × \(p.longest) steps (\(f(pool.seconds, "%.0f")) s on \(pool.cpu))")
            let absolute = reference.pooled.absoluteMean
            lines.append("  reference: " + statistics.map { name, statistic in
                let se = SampleStatistics.standardError(reference.perRun.map(statistic))
                return "\(name) \(f(statistic(reference.pooled), "%.3g")) ± \(f(se, "%.2g"))"
            }.joined(separator: ", ") + ", E|λ| \(f(absolute, "%.3g")), λ range [\(f(reference.pooled.values.first!, "%.3g")), \(f(reference.pooled.values.last!, "%.3g"))]")
            lines.append("  budget             HVPs   SE/|value|: mean      sd  median shift: /SE  /SD   worst q: /SE   W1/E|λ|: trunc  sample   total")
            func rows(_ v: Verdict, _ label: String) {
                let worstQuantile = (3..<statistics.count).map { abs(v.shiftInSE($0)) }.max()!
                lines.append("  " + [String(format: "%3d × %-3d %-11@", v.runs, v.steps, label as NSString), String(format: "%4d", v.products),
                                     f(v.relativeSE(0), "%17.3f"), f(v.relativeSE(2)), f(v.shiftInSE(1), "%14.1f"),
                                     f(v.shift[1] / v.reference[2], "%8.1e"), f(worstQuantile, "%13.1f"),
                                     f(v.w1Truncation, "%15.3f"), f(v.w1Sampling), f(v.w1Total)].joined(separator: " "))
            }
            for (r, m, label) in namedBudgets where r <= p.runCount && m <= p.longest { rows(verdict(p, runs: r, steps: m), label) }
            for settle in settleChoices {
                for r in [10, 5] where r <= p.runCount {
                    let v = verdict(p, runs: r, steps: p.settlingSteps(settle, cap: settleCap))
                    rows(v, String(format: "settle %.2f", settle))
                }
            }
            let runs = runChoices.filter { $0 <= p.runCount }
            lines.append("  W1/E|λ| of a budget's estimate to the reference (mean over disjoint blocks); runs across, steps down;")
            lines.append("  \"t\" column: the truncation part alone (all \(p.runCount) runs at that length)")
            lines.append("  steps " + runs.map { String(format: "%7d", $0) }.joined() + "      t")
            for m in stepChoices where m <= p.longest {
                let row = runs.map { verdict(p, runs: $0, steps: m) }
                lines.append(String(format: "  %5d ", m) + row.map { f($0.w1Total) }.joined() + f(row[0].w1Truncation))
            }
        }
        return lines
    }
}
