import Dispatch

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

/// Convolution as im2col + GEMM, one GEMM per image and group.
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
        case .float32: Convolution.backwardInput(Float.self, g, pointer(Float.self), weight.pointer(Float.self), out.pointer(Float.self))
        case .float64: Convolution.backwardInput(Double.self, g, pointer(Double.self), weight.pointer(Double.self), out.pointer(Double.self))
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
}

enum Convolution {
    /// Runs `body(images, worker)` over the batch, one contiguous block of images per worker.
    static func overImages(_ g: ConvolutionGeometry, _ body: (Range<Int>, Int) -> Void) {
        let workers = workerCount(g)
        guard workers > 1 else { body(0..<g.batch, 0); return }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                task.value((g.batch * w / workers)..<(g.batch * (w + 1) / workers), w)
            }
        }
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

    static func forward<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>,
        _ w: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let (K, P, Og, Cg) = (g.columnRows, g.columnCols, g.outputChannels / g.groups, g.inputChannels / g.groups)
        let HW = g.inputHeight * g.inputWidth
        let splitGEMM = splitsGEMM(g)
        overImages(g) { images, _ in
            let col = Convolution.scratch(T.self, count: g.isPointwise ? 1 : K * P)
            defer { Convolution.release(col, count: g.isPointwise ? 1 : K * P) }
            for n in images {
                for gi in 0..<g.groups {
                    let image = x + (n * g.inputChannels + gi * Cg) * HW
                    if !g.isPointwise { Im2col.lower(image, g, into: col) }
                    BLAS.gemm(T.self, transposeA: false, transposeB: false, m: Og, n: P, k: K,
                        a: w + gi * Og * K, lda: K, b: g.isPointwise ? image : col, ldb: P,
                        c: y + (n * g.outputChannels + gi * Og) * P, ldc: P, parallel: splitGEMM)
                }
            }
        }
    }

    static func backwardInput<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ gy: UnsafeMutablePointer<T>,
        _ w: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>) {
        let (K, P, Og, Cg) = (g.columnRows, g.columnCols, g.outputChannels / g.groups, g.inputChannels / g.groups)
        let HW = g.inputHeight * g.inputWidth
        let splitGEMM = splitsGEMM(g)
        overImages(g) { images, _ in
            let col = Convolution.scratch(T.self, count: g.isPointwise ? 1 : K * P)
            defer { Convolution.release(col, count: g.isPointwise ? 1 : K * P) }
            for n in images {
                for gi in 0..<g.groups {
                    let image = gx + (n * g.inputChannels + gi * Cg) * HW
                    BLAS.gemm(T.self, transposeA: true, transposeB: false, m: K, n: P, k: Og,
                        a: w + gi * Og * K, lda: K, b: gy + (n * g.outputChannels + gi * Og) * P, ldb: P,
                        c: g.isPointwise ? image : col, ldc: P, parallel: splitGEMM)
                    if !g.isPointwise { Im2col.raise(col, g, into: image) }
                }
            }
        }
    }

    static func backwardWeight<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ input: Tensor, _ outputGradient: Tensor) -> Tensor {
        let (K, P, Og, Cg) = (g.columnRows, g.columnCols, g.outputChannels / g.groups, g.inputChannels / g.groups)
        let HW = g.inputHeight * g.inputWidth
        let weightCount = g.outputChannels * K
        let workers = workerCount(g)
        let splitGEMM = splitsGEMM(g)
        // One partial sum per worker, added in worker order: deterministic for a thread count.
        let partials = Tensor(zeros: [workers, weightCount], dtype: input.dtype)
        let (x, gy, acc) = (input.pointer(T.self), outputGradient.pointer(T.self), partials.pointer(T.self))
        overImages(g) { images, worker in
            let col = Convolution.scratch(T.self, count: g.isPointwise ? 1 : K * P)
            defer { Convolution.release(col, count: g.isPointwise ? 1 : K * P) }
            let mine = acc + worker * weightCount
            for n in images {
                for gi in 0..<g.groups {
                    let image = x + (n * g.inputChannels + gi * Cg) * HW
                    if !g.isPointwise { Im2col.lower(image, g, into: col) }
                    BLAS.gemm(T.self, transposeA: false, transposeB: true, m: Og, n: K, k: P,
                        a: gy + (n * g.outputChannels + gi * Og) * P, lda: P, b: g.isPointwise ? image : col, ldb: P,
                        c: mine + gi * Og * K, ldc: K, beta: 1, parallel: splitGEMM)
                }
            }
        }
        let total = workers == 1 ? partials.reshaped(g.weightShape) : partials.sum(axes: [0]).reshaped(g.weightShape)
        return total
    }
}
