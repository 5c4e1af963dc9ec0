/// im2col / col2im for one image and one channel group: the lowering that turns a convolution
/// into one GEMM per image.
///
/// Column matrix layout: row r = (c·kh + ki)·kw + kj for channel c of the group, column
/// oh·OW + ow, entry x[c, oh·sh − ph + ki, ow·sw − pw + kj] (zero outside the image).
enum Im2col {
    /// Fills `col` [(C/g)·kh·kw, OH·OW] from the group's channels starting at `image`.
    /// Index arithmetic wraps (`&+`, `&*`): the bounds are established once per row, and
    /// checked arithmetic in these loops cost a tenth of a ResNet gradient.
    @inline(__always)
    static func lower<T: TensorScalar>(_ image: UnsafePointer<T>, _ g: ConvolutionGeometry, into col: UnsafeMutablePointer<T>) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let (sh, sw, ph, pw) = (g.strideH, g.strideW, g.padH, g.padW)
        forEachRow(g) { plane, row, ki, kj, owStart, owEnd in
            for oh in 0..<OH {
                let ih = oh &* sh &- ph &+ ki
                let dst = col + (row &+ oh &* OW)
                if ih < 0 || ih >= H || owStart >= owEnd {
                    for i in 0..<OW { dst[i] = 0 }
                    continue
                }
                let shifted = image + (plane &+ ih &* W &+ kj &- pw)
                for i in 0..<owStart { dst[i] = 0 }
                if sw == 1 {
                    for ow in owStart..<owEnd { dst[ow] = shifted[ow] }
                } else {
                    for ow in owStart..<owEnd { dst[ow] = shifted[ow &* sw] }
                }
                for i in owEnd..<OW { dst[i] = 0 }
            }
        }
    }

    /// Adds the column matrix back into the group's channels of `image` (the adjoint of `lower`).
    @inline(__always)
    static func raise<T: TensorScalar>(_ col: UnsafePointer<T>, _ g: ConvolutionGeometry, into image: UnsafeMutablePointer<T>) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let (sh, sw, ph, pw) = (g.strideH, g.strideW, g.padH, g.padW)
        forEachRow(g) { plane, row, ki, kj, owStart, owEnd in
            if owStart >= owEnd { return }
            for oh in 0..<OH {
                let ih = oh * sh - ph + ki
                if ih < 0 || ih >= H { continue }
                let src = col + row + oh * OW
                let dst = image + plane + ih * W
                if sw == 1 {
                    // Pointer-relative indices from 0: no overflow checks, so this vectorises.
                    let (d, s) = (dst + (owStart - pw + kj), src + owStart)
                    for i in 0..<(owEnd - owStart) { d[i] += s[i] }
                } else {
                    let shifted = dst + (kj - pw)
                    for ow in owStart..<owEnd { shifted[ow &* sw] += src[ow] }
                }
            }
        }
    }

    /// Runs `body(plane, row, ki, kj, owStart, owEnd)` for every row of a group's column matrix,
    /// that is every channel c of the group and kernel offset (ki, kj): `plane` is c's offset in
    /// the image, `row` the row's offset in the column matrix, and owStart..<owEnd the output
    /// columns whose input column index lands inside [0, W).
    @inline(__always)
    static func forEachRow(
        _ g: ConvolutionGeometry, _ body: (_ plane: Int, _ row: Int, _ ki: Int, _ kj: Int, _ owStart: Int, _ owEnd: Int) -> Void
    ) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let (kh, kw, sw, pw) = (g.kernelHeight, g.kernelWidth, g.strideW, g.padW)
        for c in 0..<(g.inputChannels / g.groups) {
            for ki in 0..<kh {
                for kj in 0..<kw {
                    let owStart = max(0, (pw - kj + sw - 1) / sw)
                    let owEnd = W - 1 + pw - kj < 0 ? 0 : min(OW, (W - 1 + pw - kj) / sw + 1)
                    body(c &* H &* W, ((c &* kh &+ ki) &* kw &+ kj) &* OH &* OW, ki, kj, owStart, owEnd)
                }
            }
        }
    }
}
