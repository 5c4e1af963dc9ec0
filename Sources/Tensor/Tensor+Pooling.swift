/// Window sweep of a pooling layer: kernel, stride and zero/−∞ padding (PyTorch semantics).
public struct PoolingOptions: Sendable, Equatable {
    public var kernel: (Int, Int)
    public var stride: (Int, Int)
    public var padding: (Int, Int)

    /// Square windows; `stride` defaults to the kernel size, as in PyTorch.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernel: (kernel, kernel), stride: (stride ?? kernel, stride ?? kernel), padding: (padding, padding))
    }

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding
    }

    func geometry(_ shape: [Int], op: String) -> ConvolutionGeometry {
        tensorCheck(shape.count == 4, op, "input \(shape) must be NCHW")
        tensorCheck(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1, op,
            "padding \(padding) must be at most half the kernel \(kernel)")
        return ConvolutionGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3], outputChannels: shape[1],
            kernel: kernel, stride: stride, padding: padding, groups: shape[1], op: op)
    }
}

extension Tensor {
    /// For every max-pooling window, the flat index (into this tensor) of its maximum; the
    /// first maximum wins ties, padding never wins (it acts as −∞).
    public func maxPool2dIndices(_ options: PoolingOptions) -> (indices: [Int], outputShape: [Int]) {
        let g = options.geometry(shape, op: "maxPool2d")
        var indices = [Int](repeating: 0, count: Shape.count(g.outputShape))
        indices.withUnsafeMutableBufferPointer { out in
            switch dtype {
            case .float32: MaxPooling.argmax(Float.self, g, pointer(Float.self), out.baseAddress!)
            case .float64: MaxPooling.argmax(Double.self, g, pointer(Double.self), out.baseAddress!)
            }
        }
        return (indices, g.outputShape)
    }

    /// Average pooling with zero padding counted in the divisor (`count_include_pad=True`).
    public func avgPool2d(_ options: PoolingOptions) -> Tensor {
        let g = options.geometry(shape, op: "avgPool2d")
        let out = Tensor(zeros: g.outputShape, dtype: dtype)
        switch dtype {
        case .float32: AveragePooling.sweep(Float.self, g, pointer(Float.self), out.pointer(Float.self), adjoint: false)
        case .float64: AveragePooling.sweep(Double.self, g, pointer(Double.self), out.pointer(Double.self), adjoint: false)
        }
        return out
    }

    /// The adjoint of `avgPool2d`: `self` is ∂L/∂y, the result ∂L/∂x of shape `inputShape`.
    public func avgPool2dBackward(inputShape: [Int], options: PoolingOptions) -> Tensor {
        let g = options.geometry(inputShape, op: "avgPool2dBackward")
        tensorCheck(shape == g.outputShape, "avgPool2dBackward", "gradient \(shape) does not match output \(g.outputShape)")
        let out = Tensor(zeros: inputShape, dtype: dtype)
        switch dtype {
        case .float32: AveragePooling.sweep(Float.self, g, out.pointer(Float.self), pointer(Float.self), adjoint: true)
        case .float64: AveragePooling.sweep(Double.self, g, out.pointer(Double.self), pointer(Double.self), adjoint: true)
        }
        return out
    }
}

enum AveragePooling {
    /// Forward: y[window] = Σ x / (kh·kw). Adjoint: x[window] += y / (kh·kw). Planes are independent.
    static func sweep<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>,
        _ y: UnsafeMutablePointer<T>, adjoint: Bool) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let scale = 1 / T(g.kernelHeight * g.kernelWidth)
        Parallel.forEachChunk(g.batch * g.inputChannels, costPerItem: OH * OW * g.kernelHeight * g.kernelWidth) { planes in
            for plane in planes {
                let xp = x + plane * H * W
                let yp = y + plane * OH * OW
                for oh in 0..<OH {
                    for ow in 0..<OW {
                        var total: T = 0
                        let share = adjoint ? yp[oh * OW + ow] * scale : 0
                        for ki in 0..<g.kernelHeight {
                            let ih = oh * g.strideH - g.padH + ki
                            if ih < 0 || ih >= H { continue }
                            for kj in 0..<g.kernelWidth {
                                let iw = ow * g.strideW - g.padW + kj
                                if iw < 0 || iw >= W { continue }
                                if adjoint { xp[ih * W + iw] += share } else { total += xp[ih * W + iw] }
                            }
                        }
                        if !adjoint { yp[oh * OW + ow] = total * scale }
                    }
                }
            }
        }
    }
}

enum MaxPooling {
    /// Flat index of each window's first maximum; NaN wins (it propagates, as in PyTorch).
    static func argmax<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>,
        _ out: UnsafeMutablePointer<Int>) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let halving = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideH == 2 && g.strideW == 2 && g.padH == 0 && g.padW == 0
        Parallel.forEachChunk(g.batch * g.inputChannels, costPerItem: OH * OW * g.kernelHeight * g.kernelWidth) { planes in
            for plane in planes {
                let base = plane &* H &* W
                let o = out + plane &* OH &* OW
                if halving {
                    halvingPlane(x + base, base: base, W: W, OH: OH, OW: OW, out: o)
                } else {
                    generalPlane(x + base, base: base, g, out: o)
                }
            }
        }
    }

    /// The common 2×2, stride-2, unpadded window: four comparisons per output, no bounds tests.
    /// Selects, not branches: which element wins is data, and a mispredicted branch per
    /// comparison cost more than the comparisons.
    @inline(__always)
    static func halvingPlane<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, base: Int, W: Int, OH: Int, OW: Int,
        out: UnsafeMutablePointer<Int>) {
        for oh in 0..<OH {
            let top = 2 &* oh &* W
            let row = out + oh &* OW
            for ow in 0..<OW {
                let first = top &+ 2 &* ow
                var best = first
                var value = p[first]
                @inline(__always) func consider(_ candidate: Int) {
                    let v = p[candidate]
                    // v > value, or v is NaN and value is not (NaN wins, as in PyTorch).
                    let wins = (v > value) != ((v != v) && (value == value))
                    best = wins ? candidate : best
                    value = wins ? v : value
                }
                consider(first &+ 1)
                consider(first &+ W)
                consider(first &+ W &+ 1)
                row[ow] = base &+ best
            }
        }
    }

    static func generalPlane<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, base: Int, _ g: ConvolutionGeometry,
        out: UnsafeMutablePointer<Int>) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        for oh in 0..<OH {
            for ow in 0..<OW {
                var best = -T.infinity
                var bestIndex = -1
                for ki in 0..<g.kernelHeight {
                    let ih = oh &* g.strideH &- g.padH &+ ki
                    if ih < 0 || ih >= H { continue }
                    for kj in 0..<g.kernelWidth {
                        let iw = ow &* g.strideW &- g.padW &+ kj
                        if iw < 0 || iw >= W { continue }
                        let v = p[ih &* W &+ iw]
                        if bestIndex < 0 || v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = ih &* W &+ iw }
                    }
                }
                out[oh &* OW &+ ow] = base &+ bestIndex
            }
        }
    }
}
