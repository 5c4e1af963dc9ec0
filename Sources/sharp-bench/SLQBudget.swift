import Foundation
import JSON
import PluginKit
import Scoring
import Training

/// What `hessian-spectrum`'s budget (runs × steps) buys, measured on real checkpoints
/// (docs/metrics.md#the-slq-budget).
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
        /// W1 distances of a block to the reference (averaged over blocks) over the reference's
        /// E|λ| (its W1 distance from the all-zero spectrum): all of it, and the part away from the
        /// near-zero bulk (|θ| ≥ SD/10 of the reference)...
        let w1Total: Double, w1Outside: Double
        /// ...and that part for all runs at `steps` against the reference (truncation alone).
        let w1OutsideTruncation: Double
        func shiftInSE(_ i: Int) -> Double { shift[i] / standardError[i] }
        func relativeSE(_ i: Int) -> Double { standardError[i] / abs(reference[i]) }
    }

    static func verdict(_ p: Prefixes, runs r: Int, steps m: Int) -> Verdict {
        verdict(p, runs: r, steps: [Int](repeating: m, count: p.runCount))
    }

    /// The same with run i stopped after `stepsOf[i]` steps (`steps` is the floored mean and
    /// `products` the sum over the first `r` runs: what the plugin would spend).
    ///
    /// A budget's estimates are the disjoint blocks of `r` runs among the first `budgetRuns`; the
    /// density is compared with the remaining runs at full length, which share no run with any
    /// block (a reference that contained the block would hide part of its sampling error, the
    /// more so the more runs the block has). The scale (E|λ|, the bulk's edge) and the truncation
    /// shifts use every run.
    static func verdict(_ p: Prefixes, runs r: Int, steps stepsOf: [Int]) -> Verdict {
        let all = 0..<p.runCount
        let everything = p.estimate(runs: all, steps: p.longest).pooled
        let independent = p.estimate(runs: budgetRuns..<p.runCount, steps: p.longest).pooled
        let scale = everything.absoluteMean, bulk = everything.standardDeviation / 10
        let truncated = p.estimate(runs: all, steps: stepsOf)
        let blocks = (0..<(budgetRuns / r)).map { p.estimate(runs: ($0 * r)..<($0 * r + r), steps: stepsOf).pooled }
        let spent = stepsOf.prefix(r).reduce(0, +)
        return Verdict(
            runs: r, steps: spent / r, products: spent,
            shift: statistics.map { $0.value(truncated.pooled) - $0.value(everything) },
            standardError: statistics.map {
                SampleStatistics.standardDeviation(truncated.perRun.map($0.value)) / Double(r).squareRoot()
            },
            reference: statistics.map { $0.value(everything) },
            w1Total: SampleStatistics.mean(blocks.map { $0.wasserstein1(to: independent) }) / scale,
            w1Outside: SampleStatistics.mean(blocks.map { $0.wasserstein1(to: independent, outside: bulk) }) / scale,
            w1OutsideTruncation: truncated.pooled.wasserstein1(to: everything, outside: bulk) / scale)
    }

    /// Runs a budget may draw from; the pool's later runs are the independent reference.
    static let budgetRuns = 10
}

extension SLQBudget {
    static let namedBudgets = [(10, 90, "10 × 90 (former default)"), (5, 80, "5 × 80"), (10, 60, "10 × 60"), (10, 40, "10 × 40 (default)"),
                               (10, 30, "10 × 30"), (4, 40, "4 × 40 (paper preset)"), (2, 12, "2 × 12 (quick preset)")]
    static let runChoices = [2, 5, 10]
    static let stepChoices = [5, 10, 20, 30, 40, 60, 80, 90, 120]
    static let settleChoices = [0.3, 0.2, 0.1]
    static let settleCap = 90

    /// How far a cheaper budget's density (away from the bulk) may be from the reference, as a
    /// multiple of the default budget's own distance, for the summary's choice.
    static let densityTolerance = 1.2

    /// The whole comparison for `pools`, as text.
    static func report(_ pools: [Pool]) throws -> [String] {
        var lines: [String] = []
        // candidate label → per pool (products, W1 outside ÷ the default's, SE of the mean ÷ the default's)
        var summary: [(label: String, rows: [(products: Int, density: Double, error: Double)])] = []
        func record(_ label: String, _ v: Verdict, against base: Verdict) {
            let row = (v.products, v.w1Outside / base.w1Outside, v.standardError[0] / base.standardError[0])
            if let i = summary.firstIndex(where: { $0.label == label }) { summary[i].rows.append(row) } else { summary.append((label, [row])) }
        }
        let steps = Set(stepChoices + namedBudgets.map(\.1) + Array(stride(from: 10, through: settleCap, by: StochasticLanczosQuadrature.settleInterval)))
        func f(_ x: Double, _ format: String = "%7.3f") -> String { String(format: format, x) }
        for pool in pools {
            let p = try Prefixes(pool, steps: steps)
            guard p.runCount >= budgetRuns + 4, p.longest >= 120 else {
                throw SLQBudgetError.tooSmall("\(pool.checkpoint): a pool of \(p.runCount) runs × \(p.longest) steps; the comparison "
                                              + "needs at least \(budgetRuns + 4) runs of 120 steps (tools/slq-budget makes 16 × 140)")
            }
            let reference = p.estimate(runs: 0..<p.runCount, steps: p.longest)
            lines.append("")
            lines.append("\(pool.model) (\(pool.checkpoint)): n = \(pool.parameters), \(pool.samples) samples in batches of \(pool.batchSize);"
                         + " pool \(p.runCount) runs × \(p.longest) steps (\(f(pool.seconds, "%.0f")) s on \(pool.cpu))")
            let absolute = reference.pooled.absoluteMean
            lines.append("  all runs at full length: " + statistics.map { name, statistic in
                let se = SampleStatistics.standardError(reference.perRun.map(statistic))
                return "\(name) \(f(statistic(reference.pooled), "%.3g")) ± \(f(se, "%.2g"))"
            }.joined(separator: ", ") + ", E|λ| \(f(absolute, "%.3g")), λ range [\(f(reference.pooled.values.first!, "%.3g")), \(f(reference.pooled.values.last!, "%.3g"))]")
            lines.append("  budget                         HVPs   SE/|value|: mean      sd  median shift: /SE  /SD   worst q: /SE   W1/E|λ|: total outside  (trunc.)")
            func rows(_ v: Verdict, _ label: String) {
                let worstQuantile = (3..<statistics.count).map { abs(v.shiftInSE($0)) }.max()!
                lines.append("  " + [label.padding(toLength: 30, withPad: " ", startingAt: 0), String(format: "%4d", v.products),
                                     f(v.relativeSE(0), "%17.3f"), f(v.relativeSE(2)), f(v.shiftInSE(1), "%14.1f"),
                                     f(v.shift[1] / v.reference[2], "%8.1e"), f(worstQuantile, "%13.1f"),
                                     f(v.w1Total, "%15.3f"), f(v.w1Outside), f(v.w1OutsideTruncation, "   (%.3f)")].joined(separator: " "))
            }
            let base = verdict(p, runs: 10, steps: 90)
            for (r, m, label) in namedBudgets {
                let v = verdict(p, runs: r, steps: m)
                rows(v, label)
                record(label, v, against: base)
            }
            for settle in settleChoices {
                let v = verdict(p, runs: 10, steps: p.settlingSteps(settle, cap: settleCap))
                let label = String(format: "10 × ≤90 settle %.2f", settle)
                rows(v, label + " (~\(v.steps))")
                record(label, v, against: base)
            }
            let runs = runChoices
            lines.append("  W1/E|λ| outside the bulk, a budget's estimate (mean over disjoint blocks of runs 0–\(budgetRuns - 1)) to the")
            lines.append("  independent reference (runs \(budgetRuns)–\(p.runCount - 1), full length); runs across, steps down;")
            lines.append("  \"t\": truncation alone (all \(p.runCount) runs at that length against all at full length)")
            lines.append("  steps " + runs.map { String(format: "%7d", $0) }.joined() + "      t")
            for m in stepChoices where m <= p.longest {
                let row = runs.map { verdict(p, runs: $0, steps: m) }
                lines.append(String(format: "  %5d ", m) + row.map { f($0.w1Outside) }.joined() + f(row[0].w1OutsideTruncation))
            }
        }
        lines.append("")
        lines.append("Summary over \(pools.count) checkpoint(s): products, the density's W1 away from the bulk and the mean's SE, each over the")
        lines.append("former default's (10 × 90) on the same checkpoint; worst over checkpoints. A budget qualifies when its SE is no wider")
        lines.append("than 10 × 90's and its density stays within \(densityTolerance)× 10 × 90's distance to the reference on every checkpoint.")
        lines.append("  budget                        products (mean)   W1 outside ÷ 10 × 90 (worst)   SE ÷ 10 × 90   qualifies")
        var qualifying: [(label: String, products: Double)] = []
        for (label, rows) in summary {
            let products = Double(rows.map(\.products).reduce(0, +)) / Double(rows.count)
            let density = rows.map(\.density).max()!, error = rows.map(\.error).max()!
            let qualifies = density <= densityTolerance && error <= 1 + 1e-9
            if qualifies { qualifying.append((label, products)) }
            lines.append("  " + label.padding(toLength: 29, withPad: " ", startingAt: 0)
                         + String(format: " %10.0f %22.2f %19.2f   %@", products, density, error, (qualifies ? "yes" : "no") as NSString))
        }
        lines.append("Qualifying, cheapest first: " + qualifying.sorted { $0.products < $1.products }
            .map { String(format: "%@ (%.0f)", $0.label as NSString, $0.products) }.joined(separator: ", "))
        return lines
    }
}

/// A pool too small for the comparison.
enum SLQBudgetError: Error, CustomStringConvertible {
    case tooSmall(String)

    var description: String {
        switch self {
        case .tooSmall(let message): message
        }
    }
}
