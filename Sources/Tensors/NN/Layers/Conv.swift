/// 2-D convolution over [N, C, H, W], like `nn.Conv2d`.
///
/// Weight [out, in/groups, kh, kw] and bias [out] start as PyTorch's:
/// kaiming-uniform with a = √5 and U(±1/√fan_in), fan_in = in/groups·kh·kw.
///
/// ```swift
/// let conv = Conv2d(3, 6, kernelSize: 5)   // Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))
/// let same = Conv2d(16, 16, kernelSize: 3, padding: .same, bias: false)
/// ```
public final class Conv2d: Module, UnaryLayer {
    /// Channels of the input.
    public let inChannels: Int
    /// Channels of the output (number of filters).
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: Size2
    /// Vertical and horizontal stride.
    public let stride: Size2
    /// Zero padding: explicit sizes, `valid` or `same`.
    public let padding: ConvPadding
    /// Spacing between kernel taps.
    public let dilation: Size2
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// How the border is filled (`padding_mode`; non-zero modes pad first, see `Conv+Nd.swift`).
    public let paddingMode: ConvPaddingMode
    /// Filters [out, in/groups, kh, kw].
    @Parameter public var weight: Tensor
    /// Bias [out], or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A convolution; traps with a message naming the argument when one is invalid (as PyTorch raises `ValueError`).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2, stride: Size2 = 1, padding: ConvPadding = 0,
                dilation: Size2 = 1, groups: Int = 1, bias: Bool = true, paddingMode: ConvPaddingMode = .zeros,
                generator: Generator? = nil) {
        precondition(groups > 0, "Conv2d: groups must be a positive integer, got \(groups)")
        precondition(inChannels % groups == 0, "Conv2d: in_channels must be divisible by groups (\(inChannels) vs \(groups))")
        precondition(outChannels % groups == 0, "Conv2d: out_channels must be divisible by groups (\(outChannels) vs \(groups))")
        precondition(kernelSize.h > 0 && kernelSize.w > 0, "Conv2d: kernel_size must be positive, got \(kernelSize)")
        precondition(stride.h > 0 && stride.w > 0, "Conv2d: stride must be positive, got \(stride)")
        precondition(dilation.h > 0 && dilation.w > 0, "Conv2d: dilation must be positive, got \(dilation)")
        if padding == .same {
            precondition(stride.h == 1 && stride.w == 1, "Conv2d: padding='same' is not supported for strided convolutions")
        }
        if case .size(let p) = padding {
            precondition(p.h >= 0 && p.w >= 0, "Conv2d: padding must be non-negative, got \(p)")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize.pair
        self.stride = stride.pair
        if case .size(let p) = padding { self.padding = .size(p.pair) } else { self.padding = padding }
        self.dilation = dilation.pair
        self.groups = groups
        self.paddingMode = paddingMode
        weight = Init.empty([outChannels, inChannels / groups, kernelSize.h, kernelSize.w])
        self.bias = bias ? Init.empty([outChannels]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws the parameters with PyTorch's default init, like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        Init.kaimingUniform(weight, a: Float(5).squareRoot(), generator: generator)
        if let b = bias {
            let fanIn = Init.fans(weight.shape).fanIn
            let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            Init.uniform(b, low: -bound, high: bound, generator: generator)
        }
    }

    public func forward(_ input: Tensor) -> Tensor {
        if let mode = paddingMode.padMode { return forwardPrePadded(input, mode: mode) }
        return conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override func extraRepr() -> String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(kernelSize), stride=\(stride)"
        if !padding.isZero { s += ", padding=\(padding)" }
        if dilation != Size2(1, 1) { s += ", dilation=\(dilation)" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        if paddingMode != .zeros { s += ", padding_mode=\(paddingMode.rawValue)" }
        return s
    }
}
