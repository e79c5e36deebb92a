/// 2-D max pooling, like `nn.MaxPool2d`. `stride` defaults to the kernel size.
///
/// ```swift
/// MaxPool2d(2)   // MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
/// ```
public final class MaxPool2d: Module, UnaryLayer {
    /// Window height and width.
    public let kernelSize: Size2
    /// Step between windows.
    public let stride: Size2
    /// Implicit negative-infinity padding on each side.
    public let padding: Size2
    /// Spacing between window elements.
    public let dilation: Size2
    /// Whether the output size rounds up (windows may start in the padding).
    public let ceilMode: Bool
    /// Whether `forward(tensors:)` also returns the indices (see `callAsFunction(withIndices:)`).
    public let returnIndices: Bool

    /// Max pooling; traps with a message naming the argument when one is invalid.
    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1, returnIndices: Bool = false,
                ceilMode: Bool = false) {
        checkPoolArguments("MaxPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
        precondition(dilation.h > 0 && dilation.w > 0, "MaxPool2d: dilation must be greater than zero, but got \(dilation)")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        self.returnIndices = returnIndices
        super.init()
    }

    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard returnIndices else { return try super.forward(tensors: inputs) }
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected 1 input tensor, got \(inputs.count)") }
        let r = self(withIndices: inputs[0])
        return [r.output, r.output.isMeta ? .meta(r.output.shape) : r.indices.toFloat()]
    }

    public func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    public override func extraRepr() -> String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(pythonBool(ceilMode))"
    }
}

/// 2-D average pooling, like `nn.AvgPool2d`. `stride` defaults to the kernel size.
public final class AvgPool2d: Module, UnaryLayer {
    /// Window height and width.
    public let kernelSize: Size2
    /// Step between windows.
    public let stride: Size2
    /// Implicit zero padding on each side.
    public let padding: Size2
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor.
    public let countIncludePad: Bool
    /// A fixed divisor instead of the window size, or nil.
    public let divisorOverride: Int?

    /// Average pooling; traps with a message naming the argument when one is invalid.
    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true, divisorOverride: Int? = nil) {
        checkPoolArguments("AvgPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
        precondition(divisorOverride != 0, "AvgPool2d: divisor_override must not be zero")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                  countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }

    public override func extraRepr() -> String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// Average pooling to a fixed output size, like `nn.AdaptiveAvgPool2d`.
///
/// ```swift
/// AdaptiveAvgPool2d([7, 7])     // AdaptiveAvgPool2d(output_size=(7, 7))
/// AdaptiveAvgPool2d(sizes: [nil, 7])   // AdaptiveAvgPool2d(output_size=(None, 7)): height kept
/// ```
public final class AdaptiveAvgPool2d: Module, UnaryLayer {
    /// Output height and width (a kept dim holds 0; see `keptDims`).
    public let outputSize: Size2
    /// Which of (height, width) keep the input's size (PyTorch's `None`).
    public let keptDims: [Bool]

    /// Pooling to `outputSize` (non-negative).
    public init(_ outputSize: Size2) {
        precondition(outputSize.h >= 0 && outputSize.w >= 0,
                     "AdaptiveAvgPool2d: output_size must be non-negative, got \(outputSize)")
        self.outputSize = outputSize
        keptDims = [false, false]
        super.init()
    }

    /// Pooling to `sizes` (one value or two); nil keeps that dim's input size.
    public init(sizes: [Int?]) {
        precondition((sizes.count == 1 || sizes.count == 2) && sizes.allSatisfy { ($0 ?? 0) >= 0 },
                     "AdaptiveAvgPool2d: output_size must be one or two non-negative sizes or None, got \(sizes)")
        let two = sizes.count == 1 ? [sizes[0], sizes[0]] : sizes
        outputSize = sizes.count == 1 ? Size2(two[0] ?? 0) : Size2(two[0] ?? 0, two[1] ?? 0)
        keptDims = two.map { $0 == nil }
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        guard keptDims.contains(true), input.rank >= 2 else { return adaptiveAvgPool2d(input, outputSize: outputSize) }
        let h = keptDims[0] ? input.shape[input.rank - 2] : outputSize.h, w = keptDims[1] ? input.shape[input.rank - 1] : outputSize.w
        return adaptiveAvgPool2d(input, outputSize: Size2(h, w))
    }

    public override func extraRepr() -> String {
        guard keptDims.contains(true) else { return "output_size=\(outputSize)" }
        if outputSize.isScalar { return "output_size=None" }
        let parts = [keptDims[0] ? "None" : "\(outputSize.h)", keptDims[1] ? "None" : "\(outputSize.w)"]
        return "output_size=(\(parts.joined(separator: ", ")))"
    }
}

/// Traps with PyTorch's message when a pooling layer's window arguments are invalid.
private func checkPoolArguments(_ layer: String, kernelSize: Size2, stride: Size2?, padding: Size2) {
    precondition(kernelSize.h > 0 && kernelSize.w > 0, "\(layer): kernel_size must be greater than zero, but got \(kernelSize)")
    if let s = stride {
        precondition(s.h > 0 && s.w > 0, "\(layer): stride must be greater than zero, but got \(s)")
    }
    precondition(padding.h >= 0 && padding.w >= 0 && padding.h * 2 <= kernelSize.h && padding.w * 2 <= kernelSize.w,
                 "\(layer): pad should be at most half of effective kernel size, but got pad=\(padding) and kernel_size=\(kernelSize)")
}
