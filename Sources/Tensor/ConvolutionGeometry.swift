/// Sizes of a 2-D convolution or pooling window sweep (PyTorch semantics, NCHW).
public struct ConvolutionGeometry: Sendable, Equatable {
    public let batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int
    public let outputChannels: Int, kernelHeight: Int, kernelWidth: Int
    public let strideH: Int, strideW: Int, padH: Int, padW: Int, groups: Int
    public let outputHeight: Int, outputWidth: Int

    /// Geometry of `conv2d(input[N,C,H,W], weight[O, C/groups, kh, kw])`; stops with the shapes on a mismatch.
    public init(input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), groups: Int, op: String = "conv2d") {
        tensorCheck(input.count == 4 && weight.count == 4, op, "input \(input) must be NCHW and weight \(weight) OIHW")
        tensorCheck(groups >= 1 && input[1] % groups == 0 && weight[0] % groups == 0, op,
            "\(groups) groups do not divide input channels \(input[1]) and output channels \(weight[0])")
        tensorCheck(weight[1] * groups == input[1], op,
            "weight \(weight) expects \(weight[1] * groups) input channels but input \(input) has \(input[1])")
        self.init(
            batch: input[0], channels: input[1], height: input[2], width: input[3], outputChannels: weight[0],
            kernel: (weight[2], weight[3]), stride: stride, padding: padding, groups: groups, op: op)
    }

    /// Geometry of a window sweep over `[N, C, H, W]` (pooling: one window per channel).
    public init(
        batch: Int, channels: Int, height: Int, width: Int, outputChannels: Int, kernel: (Int, Int),
        stride: (Int, Int), padding: (Int, Int), groups: Int, op: String
    ) {
        tensorCheck(stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0 && kernel.0 > 0 && kernel.1 > 0,
            op, "stride \(stride), padding \(padding) and kernel \(kernel) must be positive (padding non-negative)")
        (self.batch, inputChannels, inputHeight, inputWidth) = (batch, channels, height, width)
        (self.outputChannels, kernelHeight, kernelWidth) = (outputChannels, kernel.0, kernel.1)
        (strideH, strideW, padH, padW, self.groups) = (stride.0, stride.1, padding.0, padding.1, groups)
        outputHeight = (height + 2 * padding.0 - kernel.0) / stride.0 + 1
        outputWidth = (width + 2 * padding.1 - kernel.1) / stride.1 + 1
        tensorCheck(height + 2 * padding.0 >= kernel.0 && width + 2 * padding.1 >= kernel.1, op,
            "kernel \(kernel) is larger than the padded input \(height)×\(width) (padding \(padding))")
    }

    public var inputShape: [Int] { [batch, inputChannels, inputHeight, inputWidth] }
    public var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
    public var weightShape: [Int] { [outputChannels, inputChannels / groups, kernelHeight, kernelWidth] }
    /// Rows of one group's column matrix: (C/groups)·kh·kw.
    var columnRows: Int { inputChannels / groups * kernelHeight * kernelWidth }
    /// Columns of the column matrix: one per output pixel.
    var columnCols: Int { outputHeight * outputWidth }
    /// Offset of image n's channels of group gi in the NCHW input.
    func inputOffset(image n: Int, group gi: Int) -> Int { (n * inputChannels + gi * (inputChannels / groups)) * inputHeight * inputWidth }
    /// Offset of image n's output channels of group gi in the NCHW output.
    func outputOffset(image n: Int, group gi: Int) -> Int { (n * outputChannels + gi * (outputChannels / groups)) * columnCols }
    /// Offset of group gi's filters in the weight [O, C/groups, kh, kw].
    func weightOffset(group gi: Int) -> Int { gi * (outputChannels / groups) * columnRows }
    /// True when the column matrix is the input itself (1×1 kernel, stride 1, no padding).
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }
    /// Multiply-adds of the forward pass ×2.
    public var forwardFLOPs: Double {
        2.0 * Double(batch * outputChannels * outputHeight * outputWidth) * Double(columnRows)
    }
}
