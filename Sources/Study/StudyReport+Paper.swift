import Foundation
import Index
import IndexPresentation
import IndexQueries
import Statistics

/// The paper's findings beside this study's, claim by claim, with a verdict from the paired tests.
/// The paper's numbers are its Tables 1–5 as summarised in the study's reference notes; they are
/// the paper's reported values, shown for comparison and never used as results.
extension StudyReport {
    /// One architecture family of the paper and the mini model that stands for it here.
    struct PaperFamily {
        let model: String
        let paperModel: String
        /// Test accuracy (%) and training time (minutes) by optimizer, as the paper reports them.
        let accuracy: [String: Double]
        let minutes: [String: Double]
    }

    static let paperOptimizers = ["adam", "sam", "asam", "gsam", "wsam", "crsam"]

    static let paperFamilies: [PaperFamily] = {
        func family(_ model: String, _ paper: String, _ accuracy: [Double], _ minutes: [Double]) -> PaperFamily {
            PaperFamily(
                model: model, paperModel: paper,
                accuracy: Dictionary(uniqueKeysWithValues: zip(paperOptimizers, accuracy)),
                minutes: Dictionary(uniqueKeysWithValues: zip(paperOptimizers, minutes)))
        }
        return [
            family("resnet-mini", "ResNet50", [80.2, 84.0, 84.2, 84.2, 79.4, 76.3], [12, 38, 420, 1440, 1450, 22]),
            family("vgg-mini", "VGG16", [84.0, 87.5, 89.2, 78.2, 84.0, 86.3], [14, 24, 840, 1200, 1460, 16]),
            family("vit-tiny", "ViT", [80.0, 82.5, 69.6, 77.3, 73.6, 79.0], [2, 4, 53, 56, 32, 3]),
            family("swin-mini", "Swin", [80.5, 82.3, 60.7, 60.7, 66.3, 69.4], [21, 48, 650, 720, 380, 45]),
        ]
    }()

    /// The paper's top eigenvalue with SAM and with Adam, by model.
    static let paperLambdaMax: [String: (sam: Double, adam: Double)] = [
        "resnet-mini": (384.33, 10631.19), "vgg-mini": (0.01, 32.69), "vit-tiny": (0.65, 19.42), "swin-mini": (18.83, 206.82),
    ]

    /// Verdict of a paired test against the direction the paper found (`expected` > 0: higher,
    /// < 0: lower, 0: no difference).
    static func verdict(_ test: PairedTest?, expected: Double) -> String {
        guard let test else { return "no runs yet" }
        guard let p = test.p else { return "one seed: no test yet" }
        let significant = p < 0.05
        if expected == 0 { return significant ? "disagrees (\(pText(p)))" : "agrees: no significant difference (\(pText(p)))" }
        guard significant else { return "not significant (\(pText(p)))" }
        return (test.meanDifference > 0) == (expected > 0) ? "agrees (\(pText(p)))" : "disagrees (\(pText(p)))"
    }

    func nextToThePaper() -> String {
        let families = Self.paperFamilies.filter { plan.models.contains($0.model) }
        guard plan.baseline == "adam", !families.isEmpty else { return "" }
        var out = "## Next to the paper\n\n"
        out += "The paper trained each full-size model once per optimizer on 2,405 real breast-ultrasound images; here each mini model "
            + "trains with \(plan.seeds.count) seed(s) per optimizer on `\(plan.data)`. An accuracy or flatness verdict needs a paired t-test at 5% over seeds: "
            + "**agrees** (significant, same direction as the paper), **disagrees** (significant, opposite), **not significant**.\n\n"

        out += "### Test accuracy against Adam\n\n"
        out += "| paper's claim | model (paper's) | paper Δ (pts) | Sharp Δ (pts, 95% CI) | verdict |\n|---|---|---:|---:|---|\n"
        let claims: [(optimizer: String, claim: String)] = [
            ("sam", "SAM improves accuracy in all four"), ("asam", "ASAM helps the CNNs, hurts the transformers"),
            ("gsam", "GSAM helps only ResNet"), ("crsam", "CR-SAM helps only VGG"), ("wsam", "WSAM helps none"),
        ]
        for (optimizer, claim) in claims where plan.optimizers.contains(optimizer) {
            for family in families {
                let paperDelta = family.accuracy[optimizer]! - family.accuracy["adam"]!
                let test = results.paired(optimizer, family.model, "test_acc")
                let sharp = test.map { Self.signed($0.meanDifference * 100) + ($0.halfWidth95.map { " ± " + Self.number($0 * 100) } ?? "") } ?? "–"
                out += "| \(claim) | \(family.model) (\(family.paperModel)) | \(Self.signed(paperDelta)) | \(sharp) | "
                    + "\(Self.verdict(test, expected: paperDelta)) |\n"
            }
        }

        out += "\n### Flatness: SAM against Adam\n\n"
        out += "| paper's claim | model (paper's) | paper: top eigenvalue SAM ÷ Adam | Sharp: top eigenvalue ÷ Adam | Sharp: trace ÷ Adam | verdict (top eigenvalue) |\n"
        out += "|---|---|---:|---:|---:|---|\n"
        for family in families where plan.optimizers.contains("sam") {
            guard let paper = Self.paperLambdaMax[family.model] else { continue }
            let lambda = pairedRatio("sam", family.model, "lambda_max").map(Self.ratio) ?? "–"
            let trace = pairedRatio("sam", family.model, "trace").map(Self.ratio) ?? "–"
            out += "| SAM is flatter in all four | \(family.model) (\(family.paperModel)) | \(Self.ratio(paper.sam / paper.adam)) | \(lambda) | \(trace) | "
                + "\(Self.verdict(results.paired("sam", family.model, "lambda_max"), expected: -1)) |\n"
        }

        out += "\n### Training time against Adam\n\n"
        out += "The paper: SAM and CR-SAM cost little extra time, ASAM, GSAM and WSAM one to two orders of magnitude more. "
            + "Per step, SAM, ASAM, GSAM and WSAM take two forward-backward passes and CR-SAM three, so pass counts alone predict about 2× and 3×.\n\n"
        out += "| optimizer | model (paper's) | paper: time ÷ Adam | Sharp: time ÷ Adam (mean over seeds) | Sharp: epochs ÷ Adam | verdict |\n"
        out += "|---|---|---:|---:|---:|---|\n"
        for optimizer in ["sam", "asam", "gsam", "wsam", "crsam"] where plan.optimizers.contains(optimizer) {
            for family in families {
                let paper = family.minutes[optimizer]! / family.minutes["adam"]!
                let time = meanRatio(optimizer, family.model, "elapsed_seconds")
                let epochs = meanRatio(optimizer, family.model, "epoch")
                let verdict: String
                if let time {
                    // Not a test: "little extra" vs "one to two orders of magnitude", so the verdict
                    // asks whether Sharp's ratio is on the same side of 10× as the paper's.
                    verdict = (time >= 10) == (paper >= 10) ? "agrees" : "disagrees"
                } else {
                    verdict = "no runs yet"
                }
                out += "| \(optimizer) | \(family.model) (\(family.paperModel)) | \(Self.ratio(paper)) | \(time.map(Self.ratio) ?? "–") | "
                    + "\(epochs.map(Self.ratio) ?? "–") | \(verdict) |\n"
            }
        }

        out += """

            **Where the comparison is limited.** The data are synthetic phantoms (`bus-synth`), not the paper's scans: they mimic \
            the layers and the lesion shapes that separate benign from malignant, not the scanners' texture or the label noise of \
            real reports, so absolute accuracies are not comparable and only the direction of each effect is. The models are mini \
            versions (\(plan.imageSize)×\(plan.imageSize) inputs, one channel, widths of 16–64) of the paper's ResNet50, VGG16, ViT and Swin, so curvature values \
            are on another scale: compare ratios, not eigenvalues. Training times are CPU times of the mini models, and the paper's \
            ratios for ASAM, GSAM and WSAM reflect its implementations more than the algorithms. The SAM-family hyperparameters \
            (ρ and the rest) are Sharp's defaults; the paper does not give its own. Cells marked `‡` stopped at the epoch cap \
            before 100% training accuracy, so they break the protocol's stopping rule.


            """
        return out
    }

    /// mean(optimizer) ÷ mean(baseline) of `key` over all their runs (not paired), nil when missing.
    func meanRatio(_ optimizer: String, _ model: String, _ key: String) -> Double? {
        guard let a = results.summary(optimizer, model, key)?.mean, let b = results.summary(plan.baseline, model, key)?.mean, b > 0
        else { return nil }
        return a / b
    }
}
