/// What the evaluation callbacks did, for the report (docs/algorithms.md#what-a-metric-records).
public struct EvaluationCounters: Sendable, Equatable, Codable {
    /// Hessian-vector products over a whole data selection (what a metric asked for).
    public var hessianVectorProducts = 0
    /// Per-batch second sweeps those products took.
    public var batchProducts = 0
    /// Loss and gradient callbacks.
    public var lossCalls = 0, gradientCalls = 0
    /// Batch forward passes without a gradient (losses, accuracy).
    public var forwardPasses = 0
    /// Batch forward + backward passes (gradients, and recording a linearisation).
    public var gradientPasses = 0
    /// Batch linearisations recorded, and products served from the cache instead.
    public var linearizations = 0, cacheHits = 0
    /// Per-sample gradients (each also one of `gradientPasses`, on a batch of one).
    public var sampleGradients = 0

    /// Zero counts.
    public init() {}

    /// The counts done since `earlier`.
    public func since(_ earlier: EvaluationCounters) -> EvaluationCounters {
        var d = EvaluationCounters()
        d.hessianVectorProducts = hessianVectorProducts - earlier.hessianVectorProducts
        d.batchProducts = batchProducts - earlier.batchProducts
        d.lossCalls = lossCalls - earlier.lossCalls
        d.gradientCalls = gradientCalls - earlier.gradientCalls
        d.forwardPasses = forwardPasses - earlier.forwardPasses
        d.gradientPasses = gradientPasses - earlier.gradientPasses
        d.linearizations = linearizations - earlier.linearizations
        d.cacheHits = cacheHits - earlier.cacheHits
        d.sampleGradients = sampleGradients - earlier.sampleGradients
        return d
    }
}
