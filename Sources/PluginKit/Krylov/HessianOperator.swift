/// The Hessian as a linear operator v ↦ Hv, counting products and reporting progress.
///
/// Every algorithm in this module sees the Hessian only through this type, so the same code runs
/// against the host's callbacks (`init(context:)`) and against synthetic matrices in tests.
public final class HessianOperator {
    /// Number of parameters n.
    public let dimension: Int
    /// Products computed so far.
    public private(set) var productCount = 0
    /// Products the caller expects to need (for the progress fraction); 0 disables progress.
    public var expectedProducts = 0
    private let apply: ([Double]) throws -> [Double]
    private let progress: ((Double) -> Bool)?

    /// An operator from a product function; `progress` returns false to ask for a stop.
    public init(dimension: Int, progress: ((Double) -> Bool)? = nil, apply: @escaping ([Double]) throws -> [Double]) {
        self.dimension = dimension
        self.apply = apply
        self.progress = progress
    }

    /// The Hessian of the loss over `data` at `point` (nil: the checkpoint's weights).
    public convenience init(context: MetricContext, data: MetricData = .evaluation, point: [Double]? = nil) {
        let n = context.parameterCount
        self.init(dimension: n, progress: { context.progress($0) }) { v in
            var out = [Double](repeating: 0, count: n)
            try v.withUnsafeBufferPointer { vp in
                try out.withUnsafeMutableBufferPointer { op in
                    if let point {
                        try point.withUnsafeBufferPointer { try context.hessianVectorProduct(vp, into: op, at: $0, data: data) }
                    } else {
                        try context.hessianVectorProduct(vp, into: op, data: data)
                    }
                }
            }
            return out
        }
    }

    /// H·v.
    public func callAsFunction(_ v: [Double]) throws -> [Double] {
        precondition(v.count == dimension, "HessianOperator: a vector of \(v.count) for dimension \(dimension)")
        let product = try apply(v)
        productCount += 1
        guard product.allSatisfy(\.isFinite) else {
            throw PluginError.numerical("Hessian-vector product \(productCount) is not finite")
        }
        if expectedProducts > 0, let progress, !progress(min(1, Double(productCount) / Double(expectedProducts))) {
            throw PluginError.callbackFailed("stopped by the host after \(productCount) Hessian-vector products")
        }
        return product
    }
}
