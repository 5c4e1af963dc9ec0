import CKernels

/// Stride-1 Float32 convolutions through CKernels' direct kernels (Sources/CKernels/conv_flat.c)
/// instead of im2col + GEMM.
///
/// For the small channel counts of the mini models (1–64 channels, 3×3 kernels) im2col + GEMM
/// spends more time moving data than multiplying: every image's column matrix is written by
/// im2col, packed again by the GEMM and read a third time, and the GEMMs have 16–64 rows. The
/// direct kernels read the padded image in place, each tap being one offset into it.
///
/// Layout: each input channel is padded into a plane whose rows are all Wp = W + 2·pw wide
/// (Hp = H + 2·ph rows, plus kw − 1 zeros of slack), so the output pixel (oh, ow) is the flat
/// index q = oh·Wp + ow and tap (ki, kj) reads q + ki·Wp + kj. Outputs are computed on the same
/// Wp-wide grid; its columns ow ≥ OW are computed and dropped (2 of 66 on a 64-wide image).
/// - backward-input is the forward kernel over the output gradient placed on that grid (zeros
///   around it) with the filters transposed and flipped;
/// - backward-weight sums the output gradient (zeros in the dropped columns) against the shifted
///   input planes.
enum FlatConvolution {
    /// Whether `conv2d` of this geometry and element type takes the direct path: Float32, stride
    /// 1, one group, a kernel larger than 1×1 without padding (pointwise convolutions are GEMMs
    /// already), and at least one image per worker (a single image splits its GEMM across the
    /// threads instead).
    static func applies<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry) -> Bool {
        T.self == Float.self && g.strideH == 1 && g.strideW == 1 && g.groups == 1 && !g.isPointwise
            && (g.batch >= Parallel.threads || Parallel.threads == 1)
    }

    /// Sizes of the padded grid for one geometry.
    struct Grid {
        let g: ConvolutionGeometry
        /// Padded row width and height.
        let width: Int, height: Int
        /// Floats per padded input plane (Hp·Wp and the slack the last taps read).
        let planeStride: Int
        /// Floats per output plane on the grid: OH·Wp.
        let outputLength: Int
        /// Tap t = ki·kw + kj reads offset ki·Wp + kj.
        let offsets: [Int]
        /// Where (0, 0) of an output-gradient plane sits in a backward-input plane: the gradient
        /// is shifted by (kh − 1, kw − 1) so that the flipped taps read it with offsets ≥ 0.
        let gradientShift: Int
        /// Floats per output-gradient plane for backward-input: every index the kernel reads.
        let gradientStride: Int

        init(_ g: ConvolutionGeometry) {
            self.g = g
            width = g.inputWidth + 2 * g.padW
            height = g.inputHeight + 2 * g.padH
            planeStride = height * width + g.kernelWidth - 1
            outputLength = g.outputHeight * width
            let (kh, kw, wp) = (g.kernelHeight, g.kernelWidth, width)
            offsets = (0..<(kh * kw)).map { ($0 / kw) * wp + $0 % kw }
            gradientShift = (kh - 1) * wp + kw - 1
            // Reads reach (H + ph + kh − 1)·Wp + kw − 2; the gradient itself ends before shift + OH·Wp.
            gradientStride = max((g.inputHeight + g.padH + kh - 1) * wp + kw - 1, gradientShift + outputLength)
        }

        var taps: Int { g.kernelHeight * g.kernelWidth }

        /// Copies the C channels of one image into zero-padded planes.
        func pad(_ image: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
            let (C, H, W) = (g.inputChannels, g.inputHeight, g.inputWidth)
            planes.initialize(repeating: 0, count: C * planeStride)
            for c in 0..<C {
                let plane = planes + c * planeStride + g.padH * width + g.padW
                let source = image + c * H * W
                for h in 0..<H { (plane + h * width).update(from: source + h * W, count: W) }
            }
        }

        /// Copies `planes` output planes [rows, OH, OW] onto the grid (Wp-wide rows, zeros in the
        /// dropped columns and around), each plane `stride` floats, the first row at `shift`.
        func spread(_ gradient: UnsafePointer<Float>, planes: Int, stride: Int, shift: Int, into grid: UnsafeMutablePointer<Float>) {
            let (OH, OW) = (g.outputHeight, g.outputWidth)
            grid.initialize(repeating: 0, count: planes * stride)
            for p in 0..<planes {
                for oh in 0..<OH {
                    (grid + p * stride + shift + oh * width).update(from: gradient + (p * OH + oh) * OW, count: OW)
                }
            }
        }

        /// Writes (or adds) the grid's output planes [O, OH·Wp] into the image's [O, OH, OW].
        func gather(_ grid: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, adding: Bool) {
            let (O, OH, OW) = (g.outputChannels, g.outputHeight, g.outputWidth)
            for o in 0..<O {
                for oh in 0..<OH {
                    let (source, destination) = (grid + o * outputLength + oh * width, output + (o * OH + oh) * OW)
                    if adding {
                        for i in 0..<OW { destination[i] += source[i] }
                    } else {
                        destination.update(from: source, count: OW)
                    }
                }
            }
        }
    }

    private static func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }

    /// Scratch floats from the tensor buffer pool for the duration of `body`.
    private static func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let buffer = Convolution.scratch(Float.self, count: max(count, 1))
        defer { Convolution.release(buffer, count: max(count, 1)) }
        return body(buffer)
    }

    private static func forwardKernel(_ grid: Grid, planes: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        into output: UnsafeMutablePointer<Float>, packed: UnsafeMutablePointer<Float>) {
        grid.offsets.withUnsafeBufferPointer { offsets in
            sharp_conv_flat_forward_f32(planes, grid.g.inputChannels, grid.planeStride, weight, offsets.baseAddress, grid.taps,
                output, grid.g.outputChannels, grid.outputLength, grid.outputLength, 0, packed)
        }
    }

    private static func weightKernel(_ grid: Grid, planes: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
        into weightGradient: UnsafeMutablePointer<Float>) {
        grid.offsets.withUnsafeBufferPointer { offsets in
            sharp_conv_flat_weight_f32(planes, grid.g.inputChannels, grid.planeStride, offsets.baseAddress, grid.taps,
                gradient, grid.g.outputChannels, grid.outputLength, grid.outputLength, weightGradient)
        }
    }

    /// y = conv2d(x, w), or y += conv2d(x, w) with `adding`.
    static func forward<T: TensorScalar>(_ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>,
        _ y: UnsafeMutablePointer<T>, adding: Bool) {
        let grid = Grid(g)
        let (x, w, y) = (floats(x), floats(w), floats(y))
        let packedCount = sharp_conv_flat_scratch_count(g.inputChannels, grid.taps)
        Convolution.overImages(g) { images, _ in
            withScratch(g.inputChannels * grid.planeStride + g.outputChannels * grid.outputLength + packedCount) { scratch in
                let (planes, output) = (scratch, scratch + g.inputChannels * grid.planeStride)
                for n in images {
                    grid.pad(x + g.inputOffset(image: n, group: 0), into: planes)
                    forwardKernel(grid, planes: planes, weight: w, into: output, packed: output + g.outputChannels * grid.outputLength)
                    grid.gather(output, into: y + g.outputOffset(image: n, group: 0), adding: adding)
                }
            }
        }
    }

    /// Adds Σ_t conv2dBackwardInput(gy_t, w_t) into gx: one kernel call per image over the terms'
    /// gradients stacked as input planes, with their filters transposed and flipped.
    static func backwardInput<T: TensorScalar>(_ g: ConvolutionGeometry, _ terms: [(gy: UnsafeMutablePointer<T>, w: UnsafeMutablePointer<T>)],
        _ gx: UnsafeMutablePointer<T>) {
        let grid = Grid(g)
        let (C, O, taps) = (g.inputChannels, g.outputChannels, grid.taps)
        let depth = terms.count * O
        let gx = floats(gx)
        // flipped[c][t·O + o][T − 1 − k] = w_t[o][c][k]
        withScratch(C * depth * taps) { flipped in
            for (t, term) in terms.enumerated() {
                let w = floats(term.w)
                for o in 0..<O {
                    for c in 0..<C {
                        for k in 0..<taps { flipped[(c * depth + t * O + o) * taps + taps - 1 - k] = w[(o * C + c) * taps + k] }
                    }
                }
            }
            let (H, W) = (g.inputHeight, g.inputWidth)
            let length = H * grid.width
            let packedCount = sharp_conv_flat_scratch_count(depth, taps)
            Convolution.overImages(g) { images, _ in
                withScratch(depth * grid.gradientStride + C * length + packedCount) { scratch in
                    let (stacked, output) = (scratch, scratch + depth * grid.gradientStride)
                    for n in images {
                        for (t, term) in terms.enumerated() {
                            grid.spread(floats(term.gy) + g.outputOffset(image: n, group: 0), planes: O, stride: grid.gradientStride,
                                shift: grid.gradientShift, into: stacked + t * O * grid.gradientStride)
                        }
                        grid.offsets.withUnsafeBufferPointer { offsets in
                            sharp_conv_flat_forward_f32(stacked + g.padH * grid.width, depth, grid.gradientStride, flipped,
                                offsets.baseAddress, taps, output, C, length, length, 0, output + C * length)
                        }
                        let image = gx + g.inputOffset(image: n, group: 0)
                        for c in 0..<C {
                            for h in 0..<H {
                                let (source, destination) = (output + c * length + h * grid.width + g.padW, image + (c * H + h) * W)
                                for i in 0..<W { destination[i] += source[i] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the weight gradient of each worker's images into its row of `partials`
    /// (Convolution.weightGradient), and with `weight` also computes the forward convolution
    /// from the same padded planes (into `y`, or added to it with `adding`).
    static func backwardWeight<T: TensorScalar>(_ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>, _ gy: UnsafeMutablePointer<T>,
        partials: UnsafeMutablePointer<T>, weightCount: Int,
        forward: (weight: UnsafeMutablePointer<T>, y: UnsafeMutablePointer<T>, adding: Bool)? = nil) {
        let grid = Grid(g)
        let (x, gy, partials) = (floats(x), floats(gy), floats(partials))
        let (C, O) = (g.inputChannels, g.outputChannels)
        let packedCount = sharp_conv_flat_scratch_count(C, grid.taps)
        Convolution.overImages(g) { images, worker in
            withScratch(C * grid.planeStride + 2 * O * grid.outputLength + packedCount) { scratch in
                let (planes, gradient) = (scratch, scratch + C * grid.planeStride)
                let output = gradient + O * grid.outputLength
                for n in images {
                    grid.pad(x + g.inputOffset(image: n, group: 0), into: planes)
                    if let forward {
                        forwardKernel(grid, planes: planes, weight: floats(forward.weight), into: output,
                            packed: output + O * grid.outputLength)
                        grid.gather(output, into: floats(forward.y) + g.outputOffset(image: n, group: 0), adding: forward.adding)
                    }
                    grid.spread(gy + g.outputOffset(image: n, group: 0), planes: O, stride: grid.outputLength, shift: 0, into: gradient)
                    weightKernel(grid, planes: planes, gradient: gradient, into: partials + worker * weightCount)
                }
            }
        }
    }
}
