import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// The report's first answer to the study's question: for each model, does each optimizer beat
/// the baseline on test accuracy (paired over seeds), and is it flatter (top eigenvalue and
/// trace as ratios to the baseline's, over the same seeds)?
extension StudyReport {
    func atAGlance() -> String {
        var out = "## At a glance: each optimizer against \(plan.baseline)\n\n"
        out += "| model | optimizer | pairs | Δ test acc (pts) | accuracy | top eigenvalue ÷ \(plan.baseline) | trace ÷ \(plan.baseline) |\n"
        out += "|---|---|---:|---:|---|---:|---:|\n"
        var rows = 0, flatter = 0, compared = 0, better = 0, worse = 0
        for model in plan.models {
            for optimizer in plan.optimizers where optimizer != plan.baseline {
                guard let accuracy = results.paired(optimizer, model, "test_acc") else { continue }
                rows += 1
                let delta = Self.signed(accuracy.meanDifference * 100)
                    + (accuracy.halfWidth95.map { " ± " + Self.number($0 * 100) } ?? "")
                let verdict: String
                if let p = accuracy.p {
                    let significant = p < 0.05
                    if significant { accuracy.meanDifference > 0 ? (better += 1) : (worse += 1) }
                    verdict = significant
                        ? (accuracy.meanDifference > 0 ? "higher" : "lower") + " (\(Self.pText(p)))"
                        : "no significant difference (\(Self.pText(p)))"
                } else {
                    verdict = "one seed: no test yet"
                }
                let lambda = pairedRatio(optimizer, model, "lambda_max")
                if let lambda {
                    compared += 1
                    if lambda < 1 { flatter += 1 }
                }
                out += "| \(model) | \(optimizer) | \(accuracy.pairs) | \(delta) | \(verdict) | "
                    + (lambda.map(Self.ratio) ?? "–") + " | " + (pairedRatio(optimizer, model, "trace").map(Self.ratio) ?? "–") + " |\n"
            }
        }
        guard rows > 0 else { return "" }
        out += "\nRatios are of the means over the seeds both runs have (below 1: flatter than \(plan.baseline)); "
            + "accuracy is a paired t-test over those seeds (two-sided, 5%). "
        out += "Flatter by the top eigenvalue in \(flatter) of \(compared) comparisons; significantly higher test accuracy in "
            + "\(better), lower in \(worse), of \(rows).\n\n"
        return out
    }

    /// mean(optimizer) ÷ mean(baseline) of `key` over the seeds both have; nil without pairs or
    /// when either mean is not positive (a ratio would mislead).
    func pairedRatio(_ optimizer: String, _ model: String, _ key: String) -> Double? {
        func values(_ o: String) -> [UInt64: Double] {
            var out: [UInt64: Double] = [:]
            for s in results.samples where s.row == o && s.col == model && s.metric == key {
                if let seed = s.seed, let v = s.value, v.isFinite { out[seed] = v }
            }
            return out
        }
        let (mine, base) = (values(optimizer), values(plan.baseline))
        let seeds = Set(mine.keys).intersection(base.keys)
        guard !seeds.isEmpty else { return nil }
        let a = seeds.map { mine[$0]! }.reduce(0, +), b = seeds.map { base[$0]! }.reduce(0, +)
        guard a > 0, b > 0 else { return nil }
        return a / b
    }

    static func ratio(_ r: Double) -> String { "×" + number(r) }

    static func pText(_ p: Double) -> String { p < 0.001 ? "p < 0.001" : "p = " + pValue(p) }
}
