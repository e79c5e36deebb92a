// Unfold / Fold (torch/nn/modules/fold.py): im2col and col2im as layers.

/// Extracts sliding local blocks of [N, C, H, W] as columns [N, C·∏k, L], like `nn.Unfold`.
///
/// ```swift
/// let patches = Unfold(kernelSize: 2, stride: 2)(images)   // [N, C·4, H/2·W/2]
/// ```
public final class Unfold: Module, UnaryLayer {
    /// Block size.
    public let kernelSize: Size2
    /// Spacing between block taps.
    public let dilation: Size2
    /// Zero padding on each side.
    public let padding: Size2
    /// Step between blocks.
    public let stride: Size2

    /// An unfold layer.
    public init(kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1) {
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.padding = padding
        self.stride = stride
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        unfold(input, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
    public override func extraRepr() -> String {
        "kernel_size=\(kernelSize), dilation=\(dilation), padding=\(padding), stride=\(stride)"
    }
}

/// Sums columns [N, C·∏k, L] back into [N, C, outputSize], like `nn.Fold`.
public final class Fold: Module, UnaryLayer {
    /// Spatial size of the output.
    public let outputSize: Size2
    /// Block size.
    public let kernelSize: Size2
    /// Spacing between block taps.
    public let dilation: Size2
    /// Zero padding on each side.
    public let padding: Size2
    /// Step between blocks.
    public let stride: Size2

    /// A fold layer.
    public init(outputSize: Size2, kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1) {
        self.outputSize = outputSize
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.padding = padding
        self.stride = stride
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        fold(input, outputSize: outputSize, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
    public override func extraRepr() -> String {
        "output_size=\(outputSize), kernel_size=\(kernelSize), dilation=\(dilation), padding=\(padding), stride=\(stride)"
    }
}
