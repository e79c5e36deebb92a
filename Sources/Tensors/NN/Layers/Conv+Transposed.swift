// Transposed convolutions (torch/nn/modules/conv.py `_ConvTransposeNd`):
// the adjoint of a convolution in its input ("deconvolution"). Weight
// [in, out/groups, k…]; output size (in − 1)·stride − 2·padding +
// dilation·(k − 1) + output_padding + 1. Only zero padding, as in PyTorch.

/// The shared state of `ConvTranspose1d/2d/3d`.
open class ConvTransposeNd: Module, UnaryLayer {
    /// Channels of the input.
    public let inChannels: Int
    /// Channels of the output.
    public let outChannels: Int
    /// Kernel size per spatial dim.
    public let kernelSize: [Int]
    /// Stride per spatial dim.
    public let stride: [Int]
    /// Implicit zero padding removed from each side of the output.
    public let padding: [Int]
    /// Extra size added to one side of the output (below stride or dilation).
    public let outputPadding: [Int]
    /// Spacing between kernel taps per spatial dim.
    public let dilation: [Int]
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// Filters [in, out/groups, k…].
    @Parameter public var weight: Tensor
    /// Bias [out], or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A transposed convolution over `dims` spatial dims; sizes take one value or one per dim.
    public init(dims: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int], padding: [Int],
                outputPadding: [Int], groups: Int, bias: Bool, dilation: [Int], generator: Generator?) {
        let name = String(describing: Self.self)
        precondition([kernelSize, stride, padding, outputPadding, dilation].allSatisfy { $0.count == 1 || $0.count == dims },
                     "\(name): size arguments take 1 or \(dims) values")
        let k = expandSize(kernelSize, dims), s = expandSize(stride, dims), d = expandSize(dilation, dims)
        let p = expandSize(padding, dims), op = expandSize(outputPadding, dims)
        checkConvArguments(name, inChannels: inChannels, outChannels: outChannels, kernel: k, stride: s, padding: .size(p),
                           dilation: d, groups: groups)
        precondition((0..<dims).allSatisfy { op[$0] >= 0 && (op[$0] < s[$0] || op[$0] < d[$0]) },
                     "\(name): output padding must be smaller than either stride or dilation, got output_padding=\(pythonTuple(op))")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = k
        self.stride = s
        self.padding = p
        self.outputPadding = op
        self.dilation = d
        self.groups = groups
        weight = Init.empty([inChannels, outChannels / groups] + k)
        self.bias = bias ? Init.empty([outChannels]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws the parameters with PyTorch's default init (kaiming-uniform
    /// a = √5 with fan_in = out/groups·∏k, bias U(±1/√fan_in)).
    public func resetParameters(generator: Generator? = nil) {
        Init.kaimingUniform(weight, a: Float(5).squareRoot(), generator: generator)
        if let b = bias {
            let fanIn = Init.fans(weight.shape).fanIn
            let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            Init.uniform(b, low: -bound, high: bound, generator: generator)
        }
    }

    /// The transposed convolution with `outputPadding` (subclasses).
    open func transposed(_ input: Tensor, outputPadding: [Int]) -> Tensor { input }

    public func forward(_ input: Tensor) -> Tensor { transposed(input, outputPadding: outputPadding) }

    /// The transposed convolution with the output padding that gives
    /// `outputSize` (the trailing spatial sizes), like `forward(input, output_size=…)`.
    public func callAsFunction(_ input: Tensor, outputSize: [Int]) -> Tensor {
        call(inputs: [input], outputs: { [$0] }) {
            let k = kernelSize.count
            let spatial = Array(input.shape.suffix(k)), requested = Array(outputSize.suffix(k))
            guard check(input.rank >= k + 1 && requested.count == k, typeName,
                        "output_size must have \(k) or \(k + 2) elements (got \(outputSize.count))")
            else { return .meta(input.shape) }
            var padding = [Int](repeating: 0, count: k)
            for d in 0..<k {
                let minSize = (spatial[d] - 1) * stride[d] - 2 * self.padding[d] + dilation[d] * (kernelSize[d] - 1) + 1
                let maxSize = minSize + stride[d] - 1
                guard check(requested[d] >= minSize && requested[d] <= maxSize, typeName,
                            "requested an output size of \(requested), but valid sizes range from \(minSize) to \(maxSize) (for an input of \(spatial))")
                else { return .meta(input.shape) }
                padding[d] = requested[d] - minSize
            }
            return transposed(input, outputPadding: padding)
        }
    }

    open override func extraRepr() -> String {
        convRepr(inChannels, outChannels, kernel: kernelSize, stride: stride, padding: .size(padding), dilation: dilation,
                 outputPadding: outputPadding, groups: groups, bias: bias != nil, mode: .zeros)
    }
}

/// Transposed 1-D convolution over [N, C, L] (or [C, L]), like `nn.ConvTranspose1d`.
///
/// ```swift
/// let up = ConvTranspose1d(8, 4, kernelSize: 3, stride: 2, outputPadding: 1)   // L → 2L
/// ```
public final class ConvTranspose1d: ConvTransposeNd {
    /// A transposed 1-D convolution with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                groups: Int = 1, bias: Bool = true, dilation: Int = 1, generator: Generator? = nil) {
        super.init(dims: 1, inChannels, outChannels, kernelSize: [kernelSize], stride: [stride], padding: [padding],
                   outputPadding: [outputPadding], groups: groups, bias: bias, dilation: [dilation], generator: generator)
    }
    public override func transposed(_ input: Tensor, outputPadding: [Int]) -> Tensor {
        convTranspose1d(input, weight: weight, bias: bias, stride: stride[0], padding: padding[0], outputPadding: outputPadding[0],
                        groups: groups, dilation: dilation[0])
    }
}

/// Transposed 2-D convolution over [N, C, H, W] (or [C, H, W]), like `nn.ConvTranspose2d`.
public final class ConvTranspose2d: ConvTransposeNd {
    /// A transposed 2-D convolution with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2, stride: Size2 = 1, padding: Size2 = 0,
                outputPadding: Size2 = 0, groups: Int = 1, bias: Bool = true, dilation: Size2 = 1, generator: Generator? = nil) {
        super.init(dims: 2, inChannels, outChannels, kernelSize: [kernelSize.h, kernelSize.w], stride: [stride.h, stride.w],
                   padding: [padding.h, padding.w], outputPadding: [outputPadding.h, outputPadding.w], groups: groups, bias: bias,
                   dilation: [dilation.h, dilation.w], generator: generator)
    }
    public override func transposed(_ input: Tensor, outputPadding: [Int]) -> Tensor {
        convTranspose2d(input, weight: weight, bias: bias, stride: Size2(stride[0], stride[1]), padding: Size2(padding[0], padding[1]),
                        outputPadding: Size2(outputPadding[0], outputPadding[1]), groups: groups,
                        dilation: Size2(dilation[0], dilation[1]))
    }
}

/// Transposed 3-D convolution over [N, C, D, H, W] (or [C, D, H, W]), like `nn.ConvTranspose3d`.
public final class ConvTranspose3d: ConvTransposeNd {
    /// A transposed 3-D convolution; sizes take one value or three.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                outputPadding: [Int] = [0], groups: Int = 1, bias: Bool = true, dilation: [Int] = [1], generator: Generator? = nil) {
        super.init(dims: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                   outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, generator: generator)
    }
    public override func transposed(_ input: Tensor, outputPadding: [Int]) -> Tensor {
        convTranspose3d(input, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                        groups: groups, dilation: dilation)
    }
}
