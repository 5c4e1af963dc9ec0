import Autodiff
import Foundation
import NN
import Tensor

/// How a memory cap turns into a micro-batch size and a cache budget (docs/metrics.md, the memory cap).
///
/// An exact HVP holds the whole forward and backward graph of its batch; for a full-size model
/// at 224×224 that is about half a gigabyte per image (resnet50 at batch 16 peaked at 14 GB). The
/// loss and its derivatives are means over samples weighted by batch size, so in evaluation mode a
/// batch can be evaluated in parts (micro-batches) without changing the result beyond rounding;
/// the batch itself, the unit of per-batch metrics, stays as it is. The plan
/// measures the graph of one sample (the values a `Linearization` of a one-image batch retains),
/// takes `factor` of it per sample for one HVP from scratch (the graph, plus the second sweep's
/// own temporaries of about the same size), and fits as many samples as the cap leaves room for
/// above what the process already holds. What remains after that working set goes to the
/// linearisation cache, up to the cache's own budget.
public struct MemoryPlan: Sendable, Equatable {
    /// The cap it was made for.
    public let capBytes: Int
    /// Resident bytes before scoring (model, data, libraries).
    public let baselineBytes: Int
    /// The graph of one sample, as measured.
    public let sampleGraphBytes: Int
    /// Samples per pass (micro-batch).
    public let batchSize: Int
    /// False when the cap leaves no room even for one sample above what the process holds:
    /// parts of one sample are used anyway.
    public let fits: Bool
    /// Budget left for cached linearisations.
    public let cacheBytes: Int

    /// Peak working set of one HVP from scratch per sample, in units of its retained graph.
    static let factor = 3

    init(subject: ScoringSubject, capBytes: Int, largestBatch: Int, cacheBytes requestedCache: Int) throws {
        let dataset = subject.dataset
        guard let first = dataset.trainIndices.first ?? dataset.testIndices.first else {
            throw ScoringError.invalidRequest("the dataset has no samples")
        }
        let model = subject.model
        baselineBytes = LinearizationCache.residentBytes()
        let one = dataset.batch([first])
        let images = one.images.converted(to: model.dtype)
        let sample = try Linearization(at: model.parameters) { p in
            model.logits(Var(images), parameters: p, mode: .evaluation, seed: 0).logits.crossEntropy(labels: one.labels)
        }
        sampleGraphBytes = max(sample.retainedBytes, 1)
        self.capBytes = capBytes
        let perSample = Self.factor * sampleGraphBytes
        let room = capBytes - baselineBytes
        fits = room >= perSample
        batchSize = min(largestBatch, max(1, room / perSample))
        cacheBytes = max(0, min(requestedCache, room - batchSize * perSample))
    }

    /// One line for logs: `memory cap 6.00 GiB: passes of 3 images (0.54 GiB of graph per image, …), cache 0.45 GiB`.
    public var summary: String {
        func gib(_ b: Int) -> String { String(format: "%.2f GiB", Double(b) / Double(1 << 30)) }
        return "memory cap \(gib(capBytes)): passes of \(batchSize) image\(batchSize == 1 ? "" : "s") (\(gib(sampleGraphBytes)) "
            + "of graph per image, \(gib(baselineBytes)) resident before), cache \(gib(cacheBytes))"
            + (fits ? "" : "; the cap is below what one image needs: raise --memory-mb")
    }

    /// The machine's memory (`MemTotal` in /proc/meminfo), or 8 GiB if it cannot be read.
    public static var physicalBytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 8 << 30 }
        return kib << 10
    }
}
