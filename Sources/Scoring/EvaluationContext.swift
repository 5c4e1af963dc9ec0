import Autodiff
import Datasets
import NN
import PluginHost
import Tensor

/// The host side of a metric evaluation on one checkpoint: the data selections cut into
/// batches, and loss / gradient / exact Hessian-vector-product functions over them that run the
/// model batch by batch and accumulate in Float64, each batch weighted by its size (so results
/// do not depend on the batch size in evaluation mode; docs/algorithms.md#notation: L = Σ_b (N_b/N)·L_b).
///
/// Selections: `evaluation` is the subset the options choose (train or test; all, or the first
/// N of a seeded permutation); `train` and `test` are the whole splits (for accuracy). Products
/// at the checkpoint's own weights reuse each batch's cached linearisation.
///
/// Not thread-safe: one metric runs at a time.
public final class EvaluationContext {
    /// The checkpoint.
    public let subject: ScoringSubject
    /// The options it was made with.
    public let options: EvaluationOptions
    /// Images per batch: the unit of per-batch metrics and of training-mode statistics.
    public let batchSize: Int
    /// Images per pass: a batch is evaluated in parts of at most this many (equal to `batchSize`
    /// unless a memory cap asks for less; evaluation mode only, where the split changes results
    /// only by rounding).
    public let microBatchSize: Int
    /// The checkpoint's weights as Float64, in layout order.
    public let weights: [Double]
    /// Batch ids of each selection (ids index `batches`; equal subsets share batches).
    public let evaluationBatches: [Int], trainBatches: [Int], testBatches: [Int]
    /// Everything the callbacks did so far.
    public internal(set) var counters = EvaluationCounters()

    /// A batch names its images; they are copied out of the dataset when a pass needs them, so
    /// a context holds one copy of the data (the dataset's), not a second one per selection.
    struct Batch {
        let dataset: Dataset
        let indices: [Int]
        let dtype: DType
        var labels: [Int] { indices.map { dataset.labels[$0] } }
        var count: Int { indices.count }
        /// `[B, C, H, W]` in the model's element type.
        var images: Tensor { dataset.batch(indices).images.converted(to: dtype) }
        /// Row `row` alone, `[1, C, H, W]`.
        func image(_ row: Int) -> Tensor { dataset.batch([indices[row]]).images.converted(to: dtype) }
    }

    let batches: [Batch]
    let point: ParameterPoint
    let cache: LinearizationCache

    /// What the memory cap chose (nil without a cap): the batch size and cache budget, and the
    /// per-sample estimate they came from.
    public let memoryPlan: MemoryPlan?

    /// Cuts the selections into batches and records the weights.
    public init(subject: ScoringSubject, options: EvaluationOptions) throws {
        let batchSize = options.batchSize ?? subject.trainingBatchSize ?? 16
        guard batchSize >= 1 else { throw ScoringError.invalidRequest("batch size must be at least 1") }
        var cacheBytes = options.cacheBytes
        var microBatchSize = batchSize
        if let cap = options.memoryBytes, options.mode == .evaluation {
            let plan = try MemoryPlan(subject: subject, capBytes: cap, largestBatch: batchSize, cacheBytes: cacheBytes)
            (microBatchSize, cacheBytes) = (plan.batchSize, plan.cacheBytes)
            memoryPlan = plan
        } else {
            memoryPlan = nil
        }
        let d = subject.dataset
        let splitIndices = options.split == .train ? d.trainIndices : d.testIndices
        var subset = splitIndices
        if let n = options.sampleCount {
            guard n >= 1 else { throw ScoringError.invalidRequest("the evaluation subset needs at least one sample") }
            // At most N: a split smaller than N is used whole (as `all`), so one daemon setting
            // serves stores that mix small and large datasets.
            if n < splitIndices.count {
                var rng = RandomGenerator(seed: options.subsetSeed)
                subset = Array(rng.permutation(splitIndices.count).prefix(n).map { splitIndices[$0] })
            }
        }
        guard !subset.isEmpty else { throw ScoringError.invalidRequest("the \(options.split.rawValue) split is empty") }
        let dtype = subject.model.dtype
        var store: [Batch] = []
        func cut(_ indices: [Int]) -> [Int] {
            stride(from: 0, to: indices.count, by: batchSize).map { start in
                store.append(Batch(dataset: d, indices: Array(indices[start..<min(start + batchSize, indices.count)]), dtype: dtype))
                return store.count - 1
            }
        }
        let train = cut(d.trainIndices)
        let test = d.testIndices.isEmpty ? [] : cut(d.testIndices)
        if subset == d.trainIndices {
            evaluationBatches = train
        } else if subset == d.testIndices {
            evaluationBatches = test
        } else {
            evaluationBatches = cut(subset)
        }
        trainBatches = train
        testBatches = test
        batches = store
        self.subject = subject
        self.options = options
        self.batchSize = batchSize
        self.microBatchSize = microBatchSize
        point = ParameterPoint(shapes: subject.model.parameters.map(\.shape), dtype: dtype)
        weights = point.flatten(subject.model.parameters)
        cache = LinearizationCache(budgetBytes: cacheBytes)
    }

    /// Samples in the evaluation subset.
    public var evaluationSampleCount: Int { evaluationBatches.reduce(0) { $0 + batches[$1].count } }

    /// Samples in a list of batches.
    public func sampleCount(_ ids: [Int]) -> Int { ids.reduce(0) { $0 + batches[$1].count } }

    /// Batch linearisations currently cached.
    public var cachedLinearizations: Int { cache.count }

    /// The batch ids a metric's data selector stands for.
    func ids(_ selection: MetricDataSelection, evaluation: [Int]) -> [Int] {
        switch selection {
        case .evaluation: return evaluation
        case .train: return trainBatches
        case .test: return testBatches
        }
    }

    /// Batch `id` in parts of at most `microBatchSize` images, each with its weight in a sum
    /// over `total` samples.
    func parts(_ id: Int, of total: Double) -> [(batch: Batch, weight: Double)] {
        let batch = batches[id]
        guard batch.count > microBatchSize else { return [(batch, Double(batch.count) / total)] }
        return stride(from: 0, to: batch.count, by: microBatchSize).map { start in
            let part = Batch(dataset: batch.dataset, indices: Array(batch.indices[start..<min(start + microBatchSize, batch.count)]),
                             dtype: batch.dtype)
            return (part, Double(part.count) / total)
        }
    }

    /// The loss of `batch` (a part of batch `id`) as a function of the parameters (what gets
    /// differentiated).
    func objective(_ batch: Batch, id: Int) -> ([Var]) -> Var {
        let model = subject.model, mode = options.mode
        let (images, labels) = (batch.images, batch.labels)
        // A fixed dropout seed per batch: every call on a batch sees the same masks, so the
        // loss is one deterministic function of the weights (needed for HVPs in training mode).
        let seed = options.seed &+ UInt64(id) &* 0x9E37_79B9_7F4A_7C15
        return { p in model.logits(Var(images), parameters: p, mode: mode, seed: seed).logits.crossEntropy(labels: labels) }
    }

    /// The parameter tensors at `flat` (nil: the checkpoint's own, no copy).
    func tensors(_ flat: UnsafeBufferPointer<Double>?) -> [Tensor] {
        flat.map(point.tensors) ?? subject.model.parameters
    }

    /// The metric callbacks over these selections (`evaluation` narrows the evaluation subset,
    /// e.g. to one batch for per-batch metrics).
    public func callbacks(evaluation: [Int]? = nil, progress: ((Double) -> Bool)? = nil) -> MetricCallbacks {
        let evaluationIDs = evaluation ?? evaluationBatches
        var callbacks = MetricCallbacks(
            loss: { [unowned self] selection, p in
                let r = try loss(ids(selection, evaluation: evaluationIDs), at: p)
                return (r.loss, r.accuracy)
            },
            gradient: { [unowned self] selection, p, g in try gradient(ids(selection, evaluation: evaluationIDs), at: p, into: g) },
            hessianVectorProduct: { [unowned self] selection, p, v, hv in
                try hessianVectorProduct(ids(selection, evaluation: evaluationIDs), at: p, vector: v, into: hv)
            },
            progress: progress)
        callbacks.classCount = classCount
        callbacks.sampleGradients = { [unowned self] p, range, labels, g, losses in
            try sampleGradients(evaluationIDs, at: p, range: range, labels: labels, into: g, losses: losses)
        }
        return callbacks
    }
}
