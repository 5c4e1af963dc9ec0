import CKernels

/// Float32 convolutions through CKernels' direct kernels (Sources/CKernels/conv_flat.c) instead of
/// im2col + GEMM, where their windows overlap and the channels are few.
///
/// For the small channel counts of the mini models (1–64 channels, 3×3 kernels) im2col + GEMM
/// spends more time moving data than multiplying: every image's column matrix (each input value
/// copied kh·kw times) is written by im2col, packed again by the GEMM and read a third time, and
/// the GEMMs have 16–64 rows. The direct kernels read the padded image in place, each tap being
/// one offset into it.
///
/// Layout: the padded image (Hp = H + 2·ph rows, Wp = W + 2·pw columns) is split into sh·sw
/// phase planes, phase (a, b) holding the pixels (i·sh + a, j·sw + b), each Wq = ⌈Wp/sw⌉ wide and
/// Hq = ⌈Hp/sh⌉ high. Output pixel (oh, ow) is then the flat index q = oh·Wq + ow, and tap
/// (ki, kj) reads phase (ki mod sh, kj mod sw) at q + ⌊ki/sh⌋·Wq + ⌊kj/sw⌋: every tap is one
/// offset into a channel's block of planes, and a whole output plane is one run of q with no
/// per-row edges. With stride 1 there is one phase, the padded image itself. Outputs are computed
/// on the Wq-wide grid; its columns ow ≥ OW are computed and dropped (2 of 66 on a 64-wide image).
/// - backward-input computes each phase of the input gradient as the forward kernel over the
///   output gradient placed on the grid (zeros around it), with the taps of that phase
///   transposed and flipped;
/// - backward-weight sums the output gradient (zeros in the dropped columns) against the shifted
///   phase planes.
enum FlatConvolution {
    /// The largest C·kh·kw taken: up to it the kernels' packed filters for one tile of output
    /// channels (8 × C·kh·kw floats) stay in L1 and the kernels beat im2col + GEMM on every mini
    /// model; deeper filters make GEMMs deep enough for BLAS to run near its peak.
    static let maximumFilterSize = 576

    /// Whether `conv2d` of this geometry and element type takes the direct path: Float32, one
    /// group, overlapping windows (a kernel larger than its stride: otherwise im2col copies each
    /// value at most once and the GEMM is as good), filters of at most `maximumFilterSize`, and at
    /// least one image per worker (a single image splits its GEMM across the threads instead).
    static func applies<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry) -> Bool {
        T.self == Float.self && g.groups == 1 && (g.kernelHeight > g.strideH || g.kernelWidth > g.strideW)
            && g.columnRows <= maximumFilterSize && (g.batch >= Parallel.threads || Parallel.threads == 1)
    }

    /// Whether the weight gradient (and the fused forward + weight gradient) takes the direct
    /// path: as `applies`, and output planes of at least `minimumWeightVectors` vectors. The
    /// weight kernel reduces each of its 24 accumulators across lanes once per tile; on a small
    /// plane (a 4×4 output is 2 vectors) those reductions cost more than the multiply-adds, and
    /// im2col + GEMM is faster.
    static func appliesToWeightGradient<T: TensorScalar>(_: T.Type, _ g: ConvolutionGeometry) -> Bool {
        applies(T.self, g) && Grid(g).outputStride >= minimumWeightVectors * Grid.lanes
    }

    static let minimumWeightVectors = 8

    /// Sizes of the phase planes and the output grid for one geometry.
    struct Grid {
        let g: ConvolutionGeometry
        /// Width (Wq) and height (Hq) of a phase plane: the grid's row width.
        let width: Int, height: Int
        /// Floats per phase plane: Hq·Wq, the slack the last taps read past it, and one vector
        /// for the rounding of `outputStride`.
        let phaseStride: Int
        /// Floats per input channel: its sh·sw phase planes.
        let planeStride: Int
        /// Floats per output plane on the grid: OH·Wq.
        let outputLength: Int
        /// `outputLength` rounded up to whole vectors: the kernels run whole vectors only (their
        /// scalar tails are slow, and small planes are mostly tail: a 4×4 output on a 6-wide grid
        /// is 24 floats), so every buffer they touch has room for the rounding.
        let outputStride: Int
        /// Tap t = ki·kw + kj reads offset `offsets[t]` of its channel's planes.
        let offsets: [Int]

        init(_ g: ConvolutionGeometry) {
            self.g = g
            let (sh, sw) = (g.strideH, g.strideW)
            width = (g.inputWidth + 2 * g.padW + sw - 1) / sw
            height = (g.inputHeight + 2 * g.padH + sh - 1) / sh
            phaseStride = height * width + (g.kernelWidth - 1) / sw + Self.lanes
            planeStride = sh * sw * phaseStride
            outputLength = g.outputHeight * width
            outputStride = Self.vectors(outputLength)
            let (kw, wq, phaseStride) = (g.kernelWidth, width, phaseStride)
            offsets = (0..<(g.kernelHeight * kw)).map { t in
                let (ki, kj) = (t / kw, t % kw)
                return ((ki % sh) * sw + kj % sw) * phaseStride + (ki / sh) * wq + kj / sw
            }
        }

        var taps: Int { g.kernelHeight * g.kernelWidth }
        var phases: Int { g.strideH * g.strideW }

        /// The widest vector of any build (AVX-512's sixteen floats; the others divide it).
        static let lanes = 16
        /// `n` rounded up to whole vectors.
        static func vectors(_ n: Int) -> Int { (n + lanes - 1) / lanes * lanes }

        /// Calls `body(ih, iw, offset)` for every input row ih and column phase: `offset` is where
        /// input pixel (ih, iw) sits within its channel's block of phase planes, and the input
        /// columns iw + sw, iw + 2·sw, … land at consecutive positions from there.
        @inline(__always)
        func forEachInputRun(_ body: (_ ih: Int, _ iw: Int, _ offset: Int) -> Void) {
            let (sh, sw, ph, pw) = (g.strideH, g.strideW, g.padH, g.padW)
            for ih in 0..<g.inputHeight {
                let r = ih + ph
                for b in 0..<sw {
                    // The first input column whose padded column is ≡ b (mod sw).
                    let iw = ((b - pw) % sw + sw) % sw
                    guard iw < g.inputWidth else { continue }
                    body(ih, iw, ((r % sh) * sw + b) * phaseStride + (r / sh) * width + (iw + pw) / sw)
                }
            }
        }

        /// Copies the C channels of one image into zero-padded phase planes.
        func split(_ image: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
            let (C, H, W, sw) = (g.inputChannels, g.inputHeight, g.inputWidth, g.strideW)
            planes.initialize(repeating: 0, count: C * planeStride)
            forEachInputRun { ih, iw, offset in
                for c in 0..<C {
                    let (source, destination) = (image + (c * H + ih) * W, planes + c * planeStride + offset)
                    if sw == 1 {
                        destination.update(from: source + iw, count: W - iw)
                    } else {
                        var (column, j) = (iw, 0)
                        while column < W { destination[j] = source[column]; column += sw; j += 1 }
                    }
                }
            }
        }

        /// Adds phase planes (the layout of `split`: per channel `planeStride` floats, per phase
        /// `phaseStride`) back into the image.
        func merge(_ planes: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
            let (C, H, W, sw) = (g.inputChannels, g.inputHeight, g.inputWidth, g.strideW)
            forEachInputRun { ih, iw, offset in
                for c in 0..<C {
                    let (source, destination) = (planes + c * planeStride + offset, image + (c * H + ih) * W)
                    var (column, j) = (iw, 0)
                    while column < W { destination[column] += source[j]; column += sw; j += 1 }
                }
            }
        }

        /// Copies `planes` output-gradient planes [planes, OH, OW] onto the grid (Wq-wide rows,
        /// zeros in the dropped columns and around), each plane `stride` floats, the first row at
        /// `shift`.
        func spread(_ gradient: UnsafePointer<Float>, planes: Int, stride: Int, shift: Int, into grid: UnsafeMutablePointer<Float>) {
            let (OH, OW) = (g.outputHeight, g.outputWidth)
            grid.initialize(repeating: 0, count: planes * stride)
            for p in 0..<planes {
                for oh in 0..<OH {
                    (grid + p * stride + shift + oh * width).update(from: gradient + (p * OH + oh) * OW, count: OW)
                }
            }
        }

        /// Writes (or adds) the grid's output planes [O, outputStride] into the image's [O, OH, OW].
        func gather(_ grid: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, adding: Bool) {
            let (O, OH, OW) = (g.outputChannels, g.outputHeight, g.outputWidth)
            for o in 0..<O {
                for oh in 0..<OH {
                    let (source, destination) = (grid + o * outputStride + oh * width, output + (o * OH + oh) * OW)
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
                output, grid.g.outputChannels, grid.outputStride, grid.outputStride, 0, packed)
        }
    }

    /// y = conv2d(x, w), or y += conv2d(x, w) with `adding`.
    static func forward<T: TensorScalar>(_ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>,
        _ y: UnsafeMutablePointer<T>, adding: Bool) {
        let grid = Grid(g)
        let (x, w, y) = (floats(x), floats(w), floats(y))
        let packedCount = sharp_conv_flat_scratch_count(g.inputChannels, grid.taps)
        MultiplyAddCount.add(g.batch * g.outputChannels * g.outputHeight * g.outputWidth * g.columnRows)
        Convolution.overImages(g) { images, _ in
            withScratch(g.inputChannels * grid.planeStride + g.outputChannels * grid.outputStride + packedCount) { scratch in
                let (planes, output) = (scratch, scratch + g.inputChannels * grid.planeStride)
                for n in images {
                    grid.split(x + g.inputOffset(image: n, group: 0), into: planes)
                    forwardKernel(grid, planes: planes, weight: w, into: output, packed: output + g.outputChannels * grid.outputStride)
                    grid.gather(output, into: y + g.outputOffset(image: n, group: 0), adding: adding)
                }
            }
        }
    }

    /// The taps of one phase (a, b) of the input gradient, transposed and flipped.
    private struct Phase {
        /// Offsets into the output-gradient grid, one per tap of the phase.
        let offsets: [Int]
        /// [C][terms·O][taps of the phase]: filters[c][t·O + o][k] = w_t[o][c][tap k of the phase].
        let filters: [Float]
        /// The phase's rows that hold input pixels: rows first..<first + rows of its plane.
        let first: Int, rows: Int
    }

    /// Adds Σ_t conv2dBackwardInput(gy_t, w_t) into gx: per image and phase one kernel call over
    /// the terms' gradients stacked as input planes.
    static func backwardInput<T: TensorScalar>(_ g: ConvolutionGeometry, _ terms: [(gy: UnsafeMutablePointer<T>, w: UnsafeMutablePointer<T>)],
        _ gx: UnsafeMutablePointer<T>) {
        let grid = Grid(g)
        let (C, O, sh, sw, kh, kw) = (g.inputChannels, g.outputChannels, g.strideH, g.strideW, g.kernelHeight, g.kernelWidth)
        let depth = terms.count * O
        // The gradient sits at `shift` in its grid, so that every flipped tap reads at an offset ≥ 0.
        let (tallest, widest) = ((kh + sh - 1) / sh, (kw + sw - 1) / sw)
        let shift = (tallest - 1) * grid.width + widest - 1
        let gradientStride = grid.height * grid.width + shift + Grid.lanes
        let phases = (0..<grid.phases).map { p -> Phase in
            let (a, b) = (p / sw, p % sw)
            let taps = stride(from: a, to: kh, by: sh).flatMap { ki in stride(from: b, to: kw, by: sw).map { kj in (ki, kj) } }
            var filters = [Float](repeating: 0, count: C * depth * taps.count)
            for (t, term) in terms.enumerated() {
                let w = floats(term.w)
                for o in 0..<O {
                    for c in 0..<C {
                        for (k, (ki, kj)) in taps.enumerated() {
                            filters[(c * depth + t * O + o) * taps.count + k] = w[((o * C + c) * kh + ki) * kw + kj]
                        }
                    }
                }
            }
            // Plane rows i with i·sh + a − ph inside [0, H).
            let (first, lastPixel) = (max(0, (g.padH - a + sh - 1) / sh), g.padH + g.inputHeight - 1 - a)
            let rows = lastPixel < 0 ? 0 : max(0, min(lastPixel / sh, grid.height - 1) - first + 1)
            return Phase(offsets: taps.map { shift - (($0.0 - a) / sh) * grid.width - ($0.1 - b) / sw }, filters: filters,
                first: first, rows: rows)
        }
        let gx = floats(gx)
        let packedCount = sharp_conv_flat_scratch_count(depth, kh * kw)
        MultiplyAddCount.add(terms.count * g.batch * O * g.outputHeight * g.outputWidth * g.columnRows)
        Convolution.overImages(g) { images, _ in
            withScratch(depth * gradientStride + C * grid.planeStride + packedCount) { scratch in
                let (stacked, planes) = (scratch, scratch + depth * gradientStride)
                let packed = planes + C * grid.planeStride
                for n in images {
                    for (t, term) in terms.enumerated() {
                        grid.spread(floats(term.gy) + g.outputOffset(image: n, group: 0), planes: O, stride: gradientStride, shift: shift,
                            into: stacked + t * O * gradientStride)
                    }
                    planes.initialize(repeating: 0, count: C * grid.planeStride)
                    for (p, phase) in phases.enumerated() where phase.rows > 0 && !phase.offsets.isEmpty {
                        let start = phase.first * grid.width
                        phase.offsets.withUnsafeBufferPointer { offsets in
                            phase.filters.withUnsafeBufferPointer { filters in
                                sharp_conv_flat_forward_f32(stacked + start, depth, gradientStride, filters.baseAddress, offsets.baseAddress,
                                    offsets.count, planes + p * grid.phaseStride + start, C, grid.planeStride,
                                    Grid.vectors(phase.rows * grid.width), 0, packed)
                            }
                        }
                    }
                    grid.merge(planes, into: gx + g.inputOffset(image: n, group: 0))
                }
            }
        }
    }

    /// Adds the weight gradient of each worker's images into its row of `partials`
    /// (Convolution.weightGradient), and with `forward` also computes the forward convolution
    /// from the same phase planes (into `y`, or added to it with `adding`).
    static func backwardWeight<T: TensorScalar>(_ g: ConvolutionGeometry, _ x: UnsafeMutablePointer<T>, _ gy: UnsafeMutablePointer<T>,
        partials: UnsafeMutablePointer<T>, weightCount: Int, workers: Int,
        forward: (weight: UnsafeMutablePointer<T>, y: UnsafeMutablePointer<T>, adding: Bool)? = nil) {
        let grid = Grid(g)
        let (x, gy, partials) = (floats(x), floats(gy), floats(partials))
        let (C, O) = (g.inputChannels, g.outputChannels)
        let packedCount = sharp_conv_flat_scratch_count(C, grid.taps)
        MultiplyAddCount.add((forward == nil ? 1 : 2) * g.batch * O * g.outputHeight * g.outputWidth * g.columnRows)
        Convolution.overImages(g, workers: workers) { images, worker in
            withScratch(C * grid.planeStride + 2 * O * grid.outputStride + packedCount) { scratch in
                let (planes, gradient) = (scratch, scratch + C * grid.planeStride)
                let output = gradient + O * grid.outputStride
                for n in images {
                    grid.split(x + g.inputOffset(image: n, group: 0), into: planes)
                    if let forward {
                        forwardKernel(grid, planes: planes, weight: floats(forward.weight), into: output,
                            packed: output + O * grid.outputStride)
                        grid.gather(output, into: floats(forward.y) + g.outputOffset(image: n, group: 0), adding: forward.adding)
                    }
                    // Zeros past the output plane: the rounded-up vectors add nothing.
                    grid.spread(gy + g.outputOffset(image: n, group: 0), planes: O, stride: grid.outputStride, shift: 0, into: gradient)
                    grid.offsets.withUnsafeBufferPointer { offsets in
                        sharp_conv_flat_weight_f32(planes, C, grid.planeStride, offsets.baseAddress, grid.taps, gradient, O,
                            grid.outputStride, grid.outputStride, partials + worker * weightCount)
                    }
                }
            }
        }
    }
}
