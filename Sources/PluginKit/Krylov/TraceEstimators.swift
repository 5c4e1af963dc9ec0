/// Stochastic trace estimators from Hessian-vector products (docs/algorithms.md#hutchinson-trace-estimator).
public enum TraceEstimators {
    /// A trace estimate.
    public struct Estimate: Sendable {
        /// Estimated tr(H).
        public let value: Double
        /// Its standard error (NaN when it has none, e.g. one probe).
        public let standardError: Double
        /// Estimated tr(H²) = E‖Hz‖² from the same probes (NaN for Hutch++).
        public let squaredTrace: Double
        /// Standard error of `squaredTrace`.
        public let squaredTraceStandardError: Double
        /// The per-probe values zᵀHz (Hutch++: those of the deflated remainder).
        public let samples: [Double]
        /// Products used.
        public let products: Int
    }

    /// When a Hutchinson loop stops.
    public enum StoppingRule: Sendable {
        /// Exactly `probes` probes (A-TRACE, the default).
        case fixed
        /// PyHessian ≥ 1a42737: stop when |m − m_prev|/(|m_prev| + 1e-6) < tol.
        case pyHessian(tolerance: Double)
        /// PyHessian 0.1 (the pip release): the same with a signed denominator m_prev + 1e-6, so a
        /// negative running mean stops the loop at the next probe (docs/algorithms.md#pyhessians-trace-loop).
        case pyHessian01(tolerance: Double)
        /// A-TRACE's optional sequential stop: after at least 20 probes, once SD/√M ≤ relative·|mean|.
        case relativeStandardError(Double)
    }

    /// Hutchinson with Rademacher probes z (zᵀHz has variance 2(‖H‖_F² − ΣH_ii²), never more than
    /// a Gaussian probe's): at most `probes` probes, mean ± SD/√M, accumulated in Float64.
    public static func hutchinson(_ hessian: HessianOperator, probes: Int, rule: StoppingRule = .fixed,
                                  random: inout ProbeRandom) throws -> Estimate {
        var samples: [Double] = [], squares: [Double] = []
        var previousMean = 0.0
        for _ in 0..<probes {
            let z = random.rademacherVector(hessian.dimension)
            let hz = try hessian(z)
            samples.append(VectorMath.dot(z, hz))
            squares.append(VectorMath.dot(hz, hz))
            let mean = SampleStatistics.mean(samples)
            switch rule {
            case .fixed: break
            case .pyHessian(let tol):
                if abs(mean - previousMean) / (abs(previousMean) + 1e-6) < tol { return estimate(samples, squares) }
            case .pyHessian01(let tol):
                if abs(mean - previousMean) / (previousMean + 1e-6) < tol { return estimate(samples, squares) }
            case .relativeStandardError(let relative):
                if samples.count >= 20, SampleStatistics.standardError(samples) <= relative * abs(mean) { return estimate(samples, squares) }
            }
            previousMean = mean
        }
        return estimate(samples, squares)
    }

    static func estimate(_ samples: [Double], _ squares: [Double]) -> Estimate {
        Estimate(value: SampleStatistics.mean(samples), standardError: SampleStatistics.standardError(samples),
                 squaredTrace: SampleStatistics.mean(squares), squaredTraceStandardError: SampleStatistics.standardError(squares),
                 samples: samples, products: samples.count)
    }

    /// Hutch++ (Meyer, Musco, Musco & Woodruff, SOSA 2021) with a budget of `products`: a third
    /// sketches the range (Y = HS, S Rademacher), a third takes tr(QᵀHQ) exactly on Q = orth(Y),
    /// the rest runs Hutchinson on (I − QQᵀ)H(I − QQᵀ). The standard error is the remainder's.
    public static func hutchPlusPlus(_ hessian: HessianOperator, products: Int, random: inout ProbeRandom) throws -> Estimate {
        precondition(products >= 3, "Hutch++ needs a budget of at least 3 products")
        let sketch = products / 3
        let n = hessian.dimension
        let q = KrylovBasis(dimension: n, capacity: sketch)
        for _ in 0..<sketch {
            var y = try hessian(random.rademacherVector(n))
            q.orthogonalize(&y)
            let norm = VectorMath.norm(y)
            // A rank-deficient sketch adds no direction; its product is still counted.
            if norm > 1e-12 * Double(n).squareRoot() {
                VectorMath.scale(&y, by: 1 / norm)
                q.append(y)
            }
        }
        var exact = 0.0
        for j in 0..<q.count {
            let v = q[j]
            exact += VectorMath.dot(v, try hessian(v))
        }
        var samples: [Double] = []
        for _ in 0..<(products - sketch - q.count) {
            var z = random.rademacherVector(n)
            q.orthogonalize(&z)
            samples.append(VectorMath.dot(z, try hessian(z)))
        }
        let remainder = samples.isEmpty ? 0 : SampleStatistics.mean(samples)
        let error = samples.count > 1 ? SampleStatistics.standardError(samples) : .nan
        return Estimate(value: exact + remainder, standardError: error, squaredTrace: .nan, squaredTraceStandardError: .nan,
                        samples: samples, products: sketch + q.count + samples.count)
    }
}
