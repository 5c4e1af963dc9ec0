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
        let (kh, kw, sh, sw, ph, pw) = (g.kernelHeight, g.kernelWidth, g.strideH, g.strideW, g.padH, g.padW)
        let channels = g.inputChannels / g.groups
        for c in 0..<channels {
            let plane = image + c &* H &* W
            for ki in 0..<kh {
                for kj in 0..<kw {
                    let row = col + ((c &* kh &+ ki) &* kw &+ kj) &* OH &* OW
                    // Output columns whose input column index lands inside [0, W).
                    let owStart = max(0, (pw - kj + sw - 1) / sw)
                    let owEnd = W - 1 + pw - kj < 0 ? 0 : min(OW, (W - 1 + pw - kj) / sw + 1)
                    for oh in 0..<OH {
                        let ih = oh &* sh &- ph &+ ki
                        let dst = row + oh &* OW
                        if ih < 0 || ih >= H || owStart >= owEnd {
                            for i in 0..<OW { dst[i] = 0 }
                            continue
                        }
                        let shifted = plane + (ih &* W &+ kj &- pw)
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
        }
    }

    /// Adds the column matrix back into the group's channels of `image` (the adjoint of `lower`).
    @inline(__always)
    static func raise<T: TensorScalar>(_ col: UnsafePointer<T>, _ g: ConvolutionGeometry, into image: UnsafeMutablePointer<T>) {
        let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
        let (kh, kw, sh, sw, ph, pw) = (g.kernelHeight, g.kernelWidth, g.strideH, g.strideW, g.padH, g.padW)
        let channels = g.inputChannels / g.groups
        for c in 0..<channels {
            let plane = image + c * H * W
            for ki in 0..<kh {
                for kj in 0..<kw {
                    let row = col + ((c * kh + ki) * kw + kj) * OH * OW
                    let owStart = max(0, (pw - kj + sw - 1) / sw)
                    let owEnd = W - 1 + pw - kj < 0 ? 0 : min(OW, (W - 1 + pw - kj) / sw + 1)
                    if owStart >= owEnd { continue }
                    for oh in 0..<OH {
                        let ih = oh * sh - ph + ki
                        if ih < 0 || ih >= H { continue }
                        let src = row + oh * OW
                        let dst = plane + ih * W
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
        }
    }
}
