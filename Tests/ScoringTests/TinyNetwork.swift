import Checkpoint
import Datasets
import Foundation
import NN
import Scoring
import Tensor

/// A 116-parameter tanh network on 4×4 images (small enough for an explicit Hessian) and a
/// random two-class dataset for it (docs/algorithms.md#validation, V2).
enum TinyNetwork {
    static func model(dtype: DType = .float64, seed: UInt64 = 1) -> Model {
        let b = ModelBuilder(seed: seed, dtype: dtype)
        let fc1 = b.scope("fc1") { Linear(b, inputs: 16, outputs: 6) }
        let fc2 = b.scope("fc2") { Linear(b, inputs: 6, outputs: 2) }
        return Model(name: "tiny", builder: b, root: Sequential([Activation.flatten, fc1, Activation.tanh, fc2]))
    }

    /// 40 images (the first 30 for training, the last 10 for testing), labels alternating.
    static func dataset(count: Int = 40) -> Dataset {
        var rng = RandomGenerator(seed: 5)
        let images = rng.uniform(shape: [count, 1, 4, 4], dtype: .float32)
        let labels = (0..<count).map { $0 % 2 }
        let train = Array(0..<(count * 3 / 4)), test = Array((count * 3 / 4)..<count)
        return Dataset(name: "tiny", images: images, labels: labels, classNames: ["a", "b"], trainIndices: train, testIndices: test)
    }

    static func manifest(_ d: Dataset) -> Manifest {
        Manifest(
            runID: "tiny", createdAt: "2026-01-01T00:00:00Z", software: .init(name: "sharp", version: "test"),
            model: .init(name: "tiny", config: .null),
            dataset: .init(spec: .null, fingerprint: d.fingerprint, splitSeed: 0, trainCount: d.trainIndices.count, testCount: d.testIndices.count),
            optimizer: .init(plugin: "adam", version: "1", hyperparameters: .null),
            training: .init(epoch: 0, step: 0, seed: 0, trainLoss: 0, trainAccuracy: 0, elapsedSeconds: 0, stopReason: "test"))
    }

    /// The Float64 network's weights, in `dtype` (the builder draws different values per dtype).
    static func subject(dtype: DType = .float64) -> ScoringSubject {
        let d = dataset()
        var m = model(dtype: dtype)
        try! m.load(stateDict: Dictionary(uniqueKeysWithValues: model(dtype: .float64).stateDict))
        return ScoringSubject(model: m, dataset: d, manifest: manifest(d))
    }

    static func context(batchSize: Int = 8, dtype: DType = .float64, cacheBytes: Int = 1 << 30) throws -> EvaluationContext {
        var options = EvaluationOptions()
        options.batchSize = batchSize
        options.precision = dtype
        options.cacheBytes = cacheBytes
        return try EvaluationContext(subject: subject(dtype: dtype), options: options)
    }
}

/// Dense linear algebra for the explicit-Hessian checks.
enum Dense {
    typealias DSYEV = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
                                      UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                                      UnsafePointer<Int32>, UnsafeMutablePointer<Int32>) -> Void

    /// Eigenvalues (ascending) of a symmetric n×n matrix by LAPACK dsyev from the OpenBLAS the
    /// engine links.
    static func eigenvalues(_ a: [Double], n: Int) -> [Double]? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "dsyev_") ?? dlsym(dlopen("libopenblas.so.0", RTLD_NOW), "dsyev_") else { return nil }
        let dsyev = unsafeBitCast(symbol, to: DSYEV.self)
        var a = a, w = [Double](repeating: 0, count: n), work = [Double](repeating: 0, count: 8 * n)
        var size = Int32(n), lda = Int32(n), lwork = Int32(8 * n), info: Int32 = 0
        dsyev("N", "U", &size, &a, &lda, &w, &work, &lwork, &info)
        return info == 0 ? w : nil
    }

    static func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
}

extension EvaluationContext {
    /// H·v over the evaluation subset at the checkpoint's weights.
    func hvp(_ v: [Double]) throws -> [Double] {
        var out = [Double](repeating: 0, count: v.count)
        try v.withUnsafeBufferPointer { vp in try out.withUnsafeMutableBufferPointer { try hessianVectorProduct(evaluationBatches, at: nil, vector: vp, into: $0) } }
        return out
    }

    /// ∇L over the evaluation subset at `point`.
    func grad(_ point: [Double]) throws -> [Double] {
        var out = [Double](repeating: 0, count: point.count)
        _ = try point.withUnsafeBufferPointer { p in try out.withUnsafeMutableBufferPointer { try gradient(evaluationBatches, at: p, into: $0) } }
        return out
    }

    /// The explicit Hessian, column by column (Heᵢ), symmetrised.
    func explicitHessian() throws -> [Double] {
        let n = weights.count
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[i] = 1
            let column = try hvp(e)
            for j in 0..<n { h[j * n + i] = column[j] }
        }
        for i in 0..<n { for j in 0..<i { let s = (h[i * n + j] + h[j * n + i]) / 2; h[i * n + j] = s; h[j * n + i] = s } }
        return h
    }
}
