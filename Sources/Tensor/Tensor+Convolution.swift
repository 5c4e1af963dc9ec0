/// Stride, padding and grouping of a 2-D convolution (PyTorch's `Conv2d` arguments).
public struct ConvolutionOptions: Sendable, Equatable {
    public var stride: (Int, Int)
    public var padding: (Int, Int)
    public var groups: Int

    public init(stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        self.init(stride: (stride, stride), padding: (padding, padding), groups: groups)
    }

    public init(stride: (Int, Int), padding: (Int, Int), groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.stride == b.stride && a.padding == b.padding && a.groups == b.groups
    }

    func geometry(input: [Int], weight: [Int], op: String) -> ConvolutionGeometry {
        ConvolutionGeometry(input: input, weight: weight, stride: stride, padding: padding, groups: groups, op: op)
    }
}

/// Convolution as im2col + GEMM, one GEMM per image and group, except the Float32 convolutions
/// that FlatConvolution.swift takes (overlapping windows, one group, small filters), which run
/// CKernels' direct kernels.
///
/// Images are split across `Parallel.threads` workers, each running single-threaded GEMMs on its
/// own column buffer (kept hot in its core's cache); with one image, the GEMM itself is split.
extension Tensor {
    /// `y[N, O, OH, OW] = conv2d(x[N, C, H, W], weight[O, C/groups, kh, kw])` (cross-correlation, no bias).
    public func conv2d(_ weight: Tensor, options: ConvolutionOptions = .init()) -> Tensor {
        let g = options.geometry(input: shape, weight: weight.shape, op: "conv2d")
        tensorCheck(dtype == weight.dtype, "conv2d", "input is \(dtype) but weight is \(weight.dtype)")
        let out = Tensor(uninitialized: g.outputShape, dtype: dtype)
        switch dtype {
        case .float32: Convolution.forward(Float.self, g, pointer(Float.self), weight.pointer(Float.self), out.pointer(Float.self))
        case .float64: Convolution.forward(Double.self, g, pointer(Double.self), weight.pointer(Double.self), out.pointer(Double.self))
        }
        return out
    }

    /// The gradient of `conv2d` with respect to its input: `self` is ∂L/∂y, the result ∂L/∂x.
    public func conv2dBackwardInput(_ weight: Tensor, inputShape: [Int], options: ConvolutionOptions) -> Tensor {
        let g = options.geometry(input: inputShape, weight: weight.shape, op: "conv2dBackwardInput")
        tensorCheck(shape == g.outputShape, "conv2dBackwardInput", "output gradient \(shape) does not match output \(g.outputShape)")
        tensorCheck(dtype == weight.dtype, "conv2dBackwardInput", "gradient is \(dtype) but weight is \(weight.dtype)")
        let out = Tensor(zeros: inputShape, dtype: dtype)
        switch dtype {
        case .float32: Convolution.backwardInput(Float.self, g, [(pointer(Float.self), weight.pointer(Float.self))], out.pointer(Float.self))
        case .float64: Convolution.backwardInput(Double.self, g, [(pointer(Double.self), weight.pointer(Double.self))], out.pointer(Double.self))
        }
        return out
    }

    /// The gradient of `conv2d` with respect to its weight: `self` is the input x, `outputGradient` ∂L/∂y.
    public func conv2dBackwardWeight(_ outputGradient: Tensor, weightShape: [Int], options: ConvolutionOptions) -> Tensor {
        let g = options.geometry(input: shape, weight: weightShape, op: "conv2dBackwardWeight")
        tensorCheck(outputGradient.shape == g.outputShape, "conv2dBackwardWeight",
            "output gradient \(outputGradient.shape) does not match output \(g.outputShape)")
        tensorCheck(dtype == outputGradient.dtype, "conv2dBackwardWeight", "input is \(dtype) but gradient is \(outputGradient.dtype)")
        switch dtype {
        case .float32: return Convolution.backwardWeight(Float.self, g, self, outputGradient)
        case .float64: return Convolution.backwardWeight(Double.self, g, self, outputGradient)
        }
    }

    /// `base + Σ_i conv2dBackwardInput(terms[i].outputGradient, terms[i].weight)`, all terms with
    /// one geometry: the column matrices of all terms are summed by GEMM accumulation, so the
    /// whole sum costs one col2im per image (a second reverse sweep meets two such terms per
    /// convolution input: from the convolution and from its weight gradient).
    public static func conv2dBackwardInputSum(
        _ terms: [(outputGradient: Tensor, weight: Tensor)], inputShape: [Int], options: ConvolutionOptions, adding base: Tensor? = nil
    ) -> Tensor {
        tensorCheck(!terms.isEmpty, "conv2dBackwardInputSum", "no terms")
        let first = terms[0]
        let g = options.geometry(input: inputShape, weight: first.weight.shape, op: "conv2dBackwardInputSum")
        let dtype = first.outputGradient.dtype
        for t in terms {
            tensorCheck(t.weight.shape == first.weight.shape && t.outputGradient.shape == g.outputShape, "conv2dBackwardInputSum",
                "term (gradient \(t.outputGradient.shape), weight \(t.weight.shape)) does not match "
                    + "output \(g.outputShape), weight \(first.weight.shape)")
            tensorCheck(t.weight.dtype == dtype && t.outputGradient.dtype == dtype, "conv2dBackwardInputSum", "mixed dtypes")
        }
        if let base {
            tensorCheck(base.shape == inputShape && base.dtype == dtype, "conv2dBackwardInputSum", "base \(base.shape) is not \(inputShape)")
        }
        let out = base?.copy() ?? Tensor(zeros: inputShape, dtype: dtype)
        switch dtype {
        case .float32:
            Convolution.backwardInput(Float.self, g, terms.map { ($0.outputGradient.pointer(Float.self), $0.weight.pointer(Float.self)) },
                out.pointer(Float.self))
        case .float64:
            Convolution.backwardInput(Double.self, g, terms.map { ($0.outputGradient.pointer(Double.self), $0.weight.pointer(Double.self)) },
                out.pointer(Double.self))
        }
        return out
    }

    /// `(conv2d(self, weight), conv2dBackwardWeight(self, outputGradient))` with one im2col of
    /// `self` per image shared by both products (the pullback of backward-input in a second
    /// reverse sweep needs exactly this pair).
    public func conv2dAndBackwardWeight(_ weight: Tensor, _ outputGradient: Tensor, options: ConvolutionOptions)
        -> (output: Tensor, weightGradient: Tensor)
    {
        let g = options.geometry(input: shape, weight: weight.shape, op: "conv2dAndBackwardWeight")
        tensorCheck(dtype == weight.dtype && dtype == outputGradient.dtype, "conv2dAndBackwardWeight",
            "input \(dtype), weight \(weight.dtype) and gradient \(outputGradient.dtype) differ")
        tensorCheck(outputGradient.shape == g.outputShape, "conv2dAndBackwardWeight",
            "output gradient \(outputGradient.shape) does not match output \(g.outputShape)")
        switch dtype {
        case .float32: return Convolution.forwardAndBackwardWeight(Float.self, g, self, weight, outputGradient, adding: nil)
        case .float64: return Convolution.forwardAndBackwardWeight(Double.self, g, self, weight, outputGradient, adding: nil)
        }
    }

    /// `sum += conv2d(self, weight)` and returns `conv2dBackwardWeight(self, outputGradient)`, one
    /// im2col per image for both. The convolution accumulates straight into `sum` (GEMM with
    /// beta 1) when no other tensor shares its storage (copy-on-write otherwise): a second reverse
    /// sweep adds this term to a running cotangent that already holds another convolution.
    public func conv2dAndBackwardWeight(_ weight: Tensor, _ outputGradient: Tensor, options: ConvolutionOptions,
        addingOutputTo sum: inout Tensor) -> Tensor
    {
        let g = options.geometry(input: shape, weight: weight.shape, op: "conv2dAndBackwardWeight")
        tensorCheck(dtype == weight.dtype && dtype == outputGradient.dtype && dtype == sum.dtype, "conv2dAndBackwardWeight",
            "input \(dtype), weight \(weight.dtype), gradient \(outputGradient.dtype) and sum \(sum.dtype) differ")
        tensorCheck(outputGradient.shape == g.outputShape && sum.shape == g.outputShape, "conv2dAndBackwardWeight",
            "output gradient \(outputGradient.shape) and sum \(sum.shape) must match output \(g.outputShape)")
        if !sum.isUniquelyReferenced() { sum = sum.copy() }
        switch dtype {
        case .float32: return Convolution.forwardAndBackwardWeight(Float.self, g, self, weight, outputGradient, adding: sum).1
        case .float64: return Convolution.forwardAndBackwardWeight(Double.self, g, self, weight, outputGradient, adding: sum).1
        }
    }
}

enum Convolution {
    /// Runs `body(images, worker)` over the batch, one contiguous block of images per worker.
    /// `workers` (default `workerCount(g)`) must be the count a caller sized per-worker buffers
    /// with: `Parallel.threads` may change between two reads of it.
    static func overImages(_ g: ConvolutionGeometry, workers: Int? = nil, _ body: (Range<Int>, Int) -> Void) {
        let workers = workers ?? workerCount(g)
        guard workers > 1 else { body(0..<g.batch, 0); return }
        WorkerPool.shared.run(workers) { w in body((g.batch * w / workers)..<(g.batch * (w + 1) / workers), w) }
    }

    /// A column buffer from the tensor buffer pool (reused across calls, no page faults).
    static func scratch<T: TensorScalar>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        BufferPool.shared.allocate(byteCount: count * MemoryLayout<T>.stride).assumingMemoryBound(to: T.self)
    }

    static func release<T: TensorScalar>(_ buffer: UnsafeMutablePointer<T>, count: Int) {
        BufferPool.shared.release(UnsafeMutableRawPointer(buffer), byteCount: count * MemoryLayout<T>.stride)
    }

    static func workerCount(_ g: ConvolutionGeometry) -> Int { max(1, min(Parallel.threads, g.batch)) }

    /// With a single worker (one image or one thread) the GEMMs themselves are split instead.
    static func splitsGEMM(_ g: ConvolutionGeometry) -> Bool { workerCount(g) == 1 }

    /// Runs `body(n, gi, col, worker)` for every image n and channel group gi, each worker over
    /// its block of images (`overImages`) with a column buffer of its own: K·P values, or a
    /// placeholder when the convolution is pointwise and needs none.
    static func forEachImageAndGroup<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, workers: Int? = nil,
        _ body: (_ image: Int, _ group: Int, _ col: UnsafeMutablePointer<T>, _ worker: Int) -> Void) {
        let columnCount = g.isPointwise ? 1 : g.columnRows * g.columnCols
        overImages(g, workers: workers) { images, worker in
            let col = Convolution.scratch(T.self, count: columnCount)
            defer { Convolution.release(col, count: columnCount) }
            for n in images {
                for gi in 0..<g.groups { body(n, gi, col, worker) }
            }
        }
    }

    /// The column matrix of one image's group at `image`: the image itself when the convolution
    /// is pointwise, else `col` filled by im2col.
    @inline(__always)
    static func lowered<T: TensorScalar>(_ image: UnsafeMutablePointer<T>, _ g: ConvolutionGeometry,
        _ col: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
        if g.isPointwise { return image }
        Im2col.lower(image, g, into: col)
        return col
    }

    /// One zeroed weight-gradient partial sum per worker ([workers, O·K]) for `body(partials)` to
    /// fill, running on exactly `workers` workers, then their sum in worker order: deterministic
    /// for a thread count.
    static func weightGradient<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, dtype: DType,
        _ body: (_ partials: UnsafeMutablePointer<T>, _ weightCount: Int, _ workers: Int) -> Void) -> Tensor {
        let (workers, weightCount) = (workerCount(g), g.outputChannels * g.columnRows)
        let partials = Tensor(zeros: [workers, weightCount], dtype: dtype)
        body(partials.pointer(T.self), weightCount, workers)
        return workers == 1 ? partials.reshaped(g.weightShape) : partials.sum(axes: [0]).reshaped(g.weightShape)
    }

    static func forward<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>,
        _ w: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>) {
        if FlatConvolution.applies(T.self, g) { FlatConvolution.forward(g, x, w, y, adding: false); return }
        let (K, P, Og) = (g.columnRows, g.columnCols, g.outputChannels / g.groups)
        let splitGEMM = splitsGEMM(g)
        forEachImageAndGroup(T.self, g) { n, gi, col, _ in
            let lowered = Convolution.lowered(x + g.inputOffset(image: n, group: gi), g, col)
            BLAS.gemm(T.self, transposeA: false, transposeB: false, m: Og, n: P, k: K,
                a: w + g.weightOffset(group: gi), lda: K, b: lowered, ldb: P,
                c: y + g.outputOffset(image: n, group: gi), ldc: P, parallel: splitGEMM)
        }
    }

    /// Adds Σ_t Bᵀₓ(gy_t, w_t) into `gx` (which holds zeros or a partial sum): per image, the
    /// terms' column matrices are summed in one buffer, then one col2im.
    static func backwardInput<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry,
        _ terms: [(gy: UnsafeMutablePointer<T>, w: UnsafeMutablePointer<T>)], _ gx: UnsafeMutablePointer<T>) {
        if FlatConvolution.applies(T.self, g) { FlatConvolution.backwardInput(g, terms, gx); return }
        if terms.count > 1 && !g.isPointwise {
            backwardInputStacked(T.self, g, terms, gx)
            return
        }
        let (K, P, Og) = (g.columnRows, g.columnCols, g.outputChannels / g.groups)
        let splitGEMM = splitsGEMM(g)
        forEachImageAndGroup(T.self, g) { n, gi, col, _ in
            let image = gx + g.inputOffset(image: n, group: gi)
            for (t, term) in terms.enumerated() {
                // Pointwise: accumulate straight into the image, which already holds the running sum.
                BLAS.gemm(T.self, transposeA: true, transposeB: false, m: K, n: P, k: Og,
                    a: term.w + g.weightOffset(group: gi), lda: K, b: term.gy + g.outputOffset(image: n, group: gi), ldb: P,
                    c: g.isPointwise ? image : col, ldc: P, beta: g.isPointwise || t > 0 ? 1 : 0, parallel: splitGEMM)
            }
            if !g.isPointwise { Im2col.raise(col, g, into: image) }
        }
    }

    /// `backwardInput` for several terms as one GEMM per image and group: Σ_t w_tᵀ·gy_t is
    /// [w_1; w_2; …]ᵀ·[gy_1; gy_2; …], the terms stacked along the inner dimension. Summing
    /// the terms through separate GEMMs (inner dimension Og, often 16 or 32) read and wrote the
    /// large column matrix once per term; stacked, it is written once, and the GEMM runs on a
    /// deeper, more efficient inner dimension. The stacked gradients are copied per image (a
    /// small fraction of the column matrix).
    static func backwardInputStacked<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry,
        _ terms: [(gy: UnsafeMutablePointer<T>, w: UnsafeMutablePointer<T>)], _ gx: UnsafeMutablePointer<T>) {
        let (K, P, Og) = (g.columnRows, g.columnCols, g.outputChannels / g.groups)
        let depth = terms.count * Og
        let splitGEMM = splitsGEMM(g)
        // Weights stacked per group: rows t·Og ..< (t+1)·Og of group gi are term t's rows of that group.
        let weights = Convolution.scratch(T.self, count: g.groups * depth * K)
        defer { Convolution.release(weights, count: g.groups * depth * K) }
        for gi in 0..<g.groups {
            for (t, term) in terms.enumerated() {
                (weights + (gi * depth + t * Og) * K).update(from: term.w + g.weightOffset(group: gi), count: Og * K)
            }
        }
        overImages(g) { images, _ in
            let col = Convolution.scratch(T.self, count: K * P)
            let stacked = Convolution.scratch(T.self, count: depth * P)
            defer {
                Convolution.release(col, count: K * P)
                Convolution.release(stacked, count: depth * P)
            }
            for n in images {
                for gi in 0..<g.groups {
                    for (t, term) in terms.enumerated() {
                        (stacked + t * Og * P).update(from: term.gy + g.outputOffset(image: n, group: gi), count: Og * P)
                    }
                    BLAS.gemm(T.self, transposeA: true, transposeB: false, m: K, n: P, k: depth,
                        a: weights + gi * depth * K, lda: K, b: stacked, ldb: P, c: col, ldc: P, parallel: splitGEMM)
                    Im2col.raise(col, g, into: gx + g.inputOffset(image: n, group: gi))
                }
            }
        }
    }

    static func backwardWeight<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ input: Tensor, _ outputGradient: Tensor) -> Tensor {
        let (K, P, Og) = (g.columnRows, g.columnCols, g.outputChannels / g.groups)
        let splitGEMM = splitsGEMM(g)
        let (x, gy) = (input.pointer(T.self), outputGradient.pointer(T.self))
        return weightGradient(T.self, g, dtype: input.dtype) { acc, weightCount, workers in
            if FlatConvolution.appliesToWeightGradient(T.self, g) {
                FlatConvolution.backwardWeight(g, x, gy, partials: acc, weightCount: weightCount, workers: workers)
                return
            }
            forEachImageAndGroup(T.self, g, workers: workers) { n, gi, col, worker in
                let lowered = Convolution.lowered(x + g.inputOffset(image: n, group: gi), g, col)
                BLAS.gemm(T.self, transposeA: false, transposeB: true, m: Og, n: K, k: P,
                    a: gy + g.outputOffset(image: n, group: gi), lda: P, b: lowered, ldb: P,
                    c: acc + worker * weightCount + g.weightOffset(group: gi), ldc: K, beta: 1, parallel: splitGEMM)
            }
        }
    }

    /// `forward` and `backwardWeight` of the same input, lowering each image once. With `base`
    /// (owned by the caller, nobody else reading it) the forward result is added into it.
    static func forwardAndBackwardWeight<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ input: Tensor, _ weight: Tensor,
        _ outputGradient: Tensor, adding base: Tensor?) -> (Tensor, Tensor) {
        let (K, P, Og) = (g.columnRows, g.columnCols, g.outputChannels / g.groups)
        let splitGEMM = splitsGEMM(g)
        let output = base ?? Tensor(uninitialized: g.outputShape, dtype: input.dtype)
        let outputBeta: T = base == nil ? 0 : 1
        let (x, w, gy, y) = (input.pointer(T.self), weight.pointer(T.self), outputGradient.pointer(T.self), output.pointer(T.self))
        if FlatConvolution.applies(T.self, g) && !FlatConvolution.appliesToWeightGradient(T.self, g) {
            // The forward through the same kernel as `forward`, so a convolution's output has the
            // same bits whichever of the two computed it (reused and fresh HVPs agree exactly).
            FlatConvolution.forward(g, x, w, y, adding: base != nil)
            return (output, backwardWeight(T.self, g, input, outputGradient))
        }
        let total = weightGradient(T.self, g, dtype: input.dtype) { acc, weightCount, workers in
            if FlatConvolution.appliesToWeightGradient(T.self, g) {
                FlatConvolution.backwardWeight(g, x, gy, partials: acc, weightCount: weightCount, workers: workers,
                    forward: (w, y, base != nil))
                return
            }
            forEachImageAndGroup(T.self, g, workers: workers) { n, gi, col, worker in
                let lowered = Convolution.lowered(x + g.inputOffset(image: n, group: gi), g, col)
                let block = g.outputOffset(image: n, group: gi)
                BLAS.gemm(T.self, transposeA: false, transposeB: false, m: Og, n: P, k: K,
                    a: w + g.weightOffset(group: gi), lda: K, b: lowered, ldb: P, c: y + block, ldc: P, beta: outputBeta,
                    parallel: splitGEMM)
                BLAS.gemm(T.self, transposeA: false, transposeB: true, m: Og, n: K, k: P,
                    a: gy + block, lda: P, b: lowered, ldb: P, c: acc + worker * weightCount + g.weightOffset(group: gi), ldc: K,
                    beta: 1, parallel: splitGEMM)
            }
        }
        return (output, total)
    }
}
