/// 2-D max pooling, like `nn.MaxPool2d`. `stride` defaults to the kernel size.
///
/// ```swift
/// MaxPool2d(2)   // MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
/// ```
public final class MaxPool2d: Module {
    public let kernelSize: Size2
    public let stride: Size2
    public let padding: Size2
    public let dilation: Size2
    public let ceilMode: Bool

    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    public override func extraRepr() -> String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(pythonBool(ceilMode))"
    }
}

/// 2-D average pooling, like `nn.AvgPool2d`. `stride` defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: Size2
    public let stride: Size2
    public let padding: Size2
    public let ceilMode: Bool
    public let countIncludePad: Bool
    public let divisorOverride: Int?

    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true, divisorOverride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                  countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }

    public override func extraRepr() -> String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// Average pooling to a fixed output size, like `nn.AdaptiveAvgPool2d`.
///
/// ```swift
/// AdaptiveAvgPool2d([7, 7])   // AdaptiveAvgPool2d(output_size=(7, 7))
/// ```
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: Size2

    public init(_ outputSize: Size2) {
        self.outputSize = outputSize
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { adaptiveAvgPool2d(input, outputSize: outputSize) }

    public override func extraRepr() -> String { "output_size=\(outputSize)" }
}
