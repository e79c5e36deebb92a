// Conv1d and Conv3d (torch/nn/modules/conv.py) and the `padding_mode`
// shared with Conv2d: non-zero modes pad the input with `Tensor.pad` first
// and convolve without padding, as PyTorch does.

/// How a convolution pads its input, like `padding_mode`.
public enum ConvPaddingMode: String, Sendable, CaseIterable {
    /// Zeros (inside the convolution kernel).
    case zeros
    /// Mirror image without the edge.
    case reflect
    /// Edge values repeated.
    case replicate
    /// Wrapped around.
    case circular

    /// The `Tensor.pad` mode (nil for zeros).
    var padMode: PadMode? {
        switch self {
        case .zeros: return nil
        case .reflect: return .reflect
        case .replicate: return .replicate
        case .circular: return .circular
        }
    }
}

/// `input` padded by (before, after) per spatial dim (first spatial dim
/// first) with `mode`, for a convolution that then uses no padding.
func prePadded(_ input: Tensor, mode: PadMode, before: [Int], after: [Int]) -> Tensor {
    var amounts: [Int] = []
    for i in (0..<before.count).reversed() { amounts += [before[i], after[i]] }
    return input.pad(amounts, mode: mode)
}

/// PyTorch's printed form of an N-d convolution.
func convRepr(_ inC: Int, _ outC: Int, kernel: [Int], stride: [Int], padding: ConvNdPadding, dilation: [Int],
              outputPadding: [Int]? = nil, groups: Int, bias: Bool, mode: ConvPaddingMode) -> String {
    let dims = kernel.count
    var s = "\(inC), \(outC), kernel_size=\(pythonTuple(kernel)), stride=\(pythonTuple(stride))"
    switch padding {
    case .size: if let p = padding.sizes(dims), p.contains(where: { $0 != 0 }) { s += ", padding=\(pythonTuple(p))" }
    default: s += ", padding=\(padding)"
    }
    if dilation.contains(where: { $0 != 1 }) { s += ", dilation=\(pythonTuple(dilation))" }
    if let op = outputPadding, op.contains(where: { $0 != 0 }) { s += ", output_padding=\(pythonTuple(op))" }
    if groups != 1 { s += ", groups=\(groups)" }
    if !bias { s += ", bias=False" }
    if mode != .zeros { s += ", padding_mode=\(mode.rawValue)" }
    return s
}

/// Checks the arguments shared by every convolution layer, with PyTorch's messages.
func checkConvArguments(_ name: String, inChannels: Int, outChannels: Int, kernel: [Int], stride: [Int], padding: ConvNdPadding,
                        dilation: [Int], groups: Int) {
    precondition(groups > 0, "\(name): groups must be a positive integer")
    precondition(inChannels % groups == 0, "\(name): in_channels must be divisible by groups")
    precondition(outChannels % groups == 0, "\(name): out_channels must be divisible by groups")
    precondition(kernel.allSatisfy { $0 > 0 }, "\(name): kernel_size must be positive, got \(kernel)")
    precondition(stride.allSatisfy { $0 > 0 }, "\(name): stride must be positive, got \(stride)")
    precondition(dilation.allSatisfy { $0 > 0 }, "\(name): dilation must be positive, got \(dilation)")
    if padding == .same { precondition(stride.allSatisfy { $0 == 1 }, "\(name): padding='same' is not supported for strided convolutions") }
    if case .size(let p) = padding {
        precondition((p.count == 1 || p.count == kernel.count) && p.allSatisfy { $0 >= 0 },
                     "\(name): padding must be one or \(kernel.count) non-negative values, got \(p)")
    }
}

/// The shared state of `Conv1d` and `Conv3d` (PyTorch's `_ConvNd`).
open class ConvNd: Module, UnaryLayer {
    /// Channels of the input.
    public let inChannels: Int
    /// Channels of the output (number of filters).
    public let outChannels: Int
    /// Kernel size per spatial dim.
    public let kernelSize: [Int]
    /// Stride per spatial dim.
    public let stride: [Int]
    /// Padding: explicit sizes, `valid` or `same`.
    public let padding: ConvNdPadding
    /// Spacing between kernel taps per spatial dim.
    public let dilation: [Int]
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// How the border is filled.
    public let paddingMode: ConvPaddingMode
    /// Filters [out, in/groups, k…].
    @Parameter public var weight: Tensor
    /// Bias [out], or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A convolution over `kernelSize.count` spatial dims; sizes take one value or one per dim.
    public init(dims: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int], padding: ConvNdPadding,
                dilation: [Int], groups: Int, bias: Bool, paddingMode: ConvPaddingMode, generator: Generator?) {
        let name = String(describing: Self.self)
        precondition([kernelSize, stride, dilation].allSatisfy { $0.count == 1 || $0.count == dims },
                     "\(name): kernel_size, stride and dilation take 1 or \(dims) values")
        let k = expandSize(kernelSize, dims), s = expandSize(stride, dims), d = expandSize(dilation, dims)
        checkConvArguments(name, inChannels: inChannels, outChannels: outChannels, kernel: k, stride: s, padding: padding,
                           dilation: d, groups: groups)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = k
        self.stride = s
        self.padding = padding.sizes(dims).map { .size($0) } ?? padding
        self.dilation = d
        self.groups = groups
        self.paddingMode = paddingMode
        weight = Init.empty([outChannels, inChannels / groups] + k)
        self.bias = bias ? Init.empty([outChannels]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws the parameters with PyTorch's default init (kaiming-uniform
    /// a = √5, bias U(±1/√fan_in)), like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        Init.kaimingUniform(weight, a: Float(5).squareRoot(), generator: generator)
        if let b = bias {
            let fanIn = Init.fans(weight.shape).fanIn
            let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            Init.uniform(b, low: -bound, high: bound, generator: generator)
        }
    }

    /// The convolution on an input already padded for `paddingMode` (subclasses).
    open func convolve(_ input: Tensor, padding: ConvNdPadding) -> Tensor { input }

    public func forward(_ input: Tensor) -> Tensor {
        guard let mode = paddingMode.padMode else { return convolve(input, padding: padding) }
        let (before, after) = padding.amounts(kernel: kernelSize, dilation: dilation)
        return convolve(prePadded(input, mode: mode, before: before, after: after), padding: 0)
    }

    open override func extraRepr() -> String {
        convRepr(inChannels, outChannels, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation,
                 groups: groups, bias: bias != nil, mode: paddingMode)
    }
}

/// 1-D convolution over [N, C, L] (or [C, L]), like `nn.Conv1d`.
///
/// ```swift
/// let conv = Conv1d(3, 6, kernelSize: 3, padding: 1)   // Conv1d(3, 6, kernel_size=(3,), stride=(1,), padding=(1,))
/// ```
public final class Conv1d: ConvNd {
    /// A 1-D convolution with PyTorch's default initialisation, drawn from `generator`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvNdPadding = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, paddingMode: ConvPaddingMode = .zeros,
                generator: Generator? = nil) {
        super.init(dims: 1, inChannels, outChannels, kernelSize: [kernelSize], stride: [stride], padding: padding,
                   dilation: [dilation], groups: groups, bias: bias, paddingMode: paddingMode, generator: generator)
    }

    public override func convolve(_ input: Tensor, padding: ConvNdPadding) -> Tensor {
        conv1d(input, weight: weight, bias: bias, stride: stride[0], padding: padding, dilation: dilation[0], groups: groups)
    }
}

/// 3-D convolution over [N, C, D, H, W] (or [C, D, H, W]), like `nn.Conv3d`.
///
/// ```swift
/// let conv = Conv3d(1, 8, kernelSize: [3], padding: .same)
/// ```
public final class Conv3d: ConvNd {
    /// A 3-D convolution; sizes take one value or three.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: ConvNdPadding = 0,
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, paddingMode: ConvPaddingMode = .zeros,
                generator: Generator? = nil) {
        super.init(dims: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                   dilation: dilation, groups: groups, bias: bias, paddingMode: paddingMode, generator: generator)
    }

    public override func convolve(_ input: Tensor, padding: ConvNdPadding) -> Tensor {
        conv3d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

extension Conv2d {
    /// The convolution for a non-zero `paddingMode`: pad with `mode`, then convolve unpadded.
    func forwardPrePadded(_ input: Tensor, mode: PadMode) -> Tensor {
        let p: ConvNdPadding
        switch padding {
        case .size(let s): p = .size([s.h, s.w])
        case .valid: p = .valid
        case .same: p = .same
        }
        let (before, after) = p.amounts(kernel: [kernelSize.h, kernelSize.w], dilation: [dilation.h, dilation.w])
        return conv2d(prePadded(input, mode: mode, before: before, after: after), weight: weight, bias: bias, stride: stride,
                      padding: 0, dilation: dilation, groups: groups)
    }
}
