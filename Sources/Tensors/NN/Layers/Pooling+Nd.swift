// The pooling layers beyond MaxPool2d/AvgPool2d/AdaptiveAvgPool2d
// (torch/nn/modules/pooling.py). Sizes of 3-D layers take one value (printed
// as an int, like PyTorch's `kernel_size=2`) or three (printed as a tuple).
// Max pools with `returnIndices` also answer `callAsFunction(withIndices:)`
// and return `[output, indices]` from `forward(tensors:)`.

/// Python's form of an int-or-tuple argument as given: `2` or `(2, 2, 1)`.
func pythonIntOrTuple(_ v: [Int]) -> String { v.count == 1 ? "\(v[0])" : pythonTuple(v) }

/// Python's form of an adaptive output size: `3`, `(2, None)`.
func pythonOutputSize(_ v: [Int?]) -> String {
    if v.count == 1 { return v[0].map(String.init) ?? "None" }
    return "(" + v.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
}

/// Traps with PyTorch's message for invalid window arguments of a pooling layer.
func checkPoolNdArguments(_ name: String, dims: Int, kernel: [Int], stride: [Int]?, padding: [Int], dilation: [Int] = [1]) {
    for (arg, v) in [("kernel_size", kernel), ("stride", stride ?? kernel), ("padding", padding), ("dilation", dilation)] {
        precondition(v.count == 1 || v.count == dims, "\(name): \(arg) must be an int or a tuple of \(dims) ints, got \(v)")
    }
    precondition(kernel.allSatisfy { $0 > 0 }, "\(name): kernel_size must be greater than zero, but got \(kernel)")
    precondition((stride ?? kernel).allSatisfy { $0 > 0 }, "\(name): stride must be greater than zero, but got \(stride ?? kernel)")
    let k = expandSize(kernel, dims), p = expandSize(padding, dims), d = expandSize(dilation, dims)
    precondition((0..<dims).allSatisfy { p[$0] >= 0 && p[$0] <= (d[$0] * (k[$0] - 1) + 1) / 2 },
                 "\(name): pad should be at most half of effective kernel size, but got pad=\(pythonIntOrTuple(padding)) and kernel_size=\(pythonIntOrTuple(kernel))")
}

/// Max pooling over 1 or 3 spatial dims (PyTorch's `_MaxPoolNd`).
open class MaxPoolNd: Module, UnaryLayer {
    /// Spatial dims pooled.
    public let dims: Int
    /// Window size (one value or one per dim).
    public let kernelSize: [Int]
    /// Step between windows (defaults to the kernel size).
    public let stride: [Int]
    /// Implicit negative-infinity padding.
    public let padding: [Int]
    /// Spacing between window elements.
    public let dilation: [Int]
    /// Whether `forward(tensors:)` also returns the indices.
    public let returnIndices: Bool
    /// Whether the output size rounds up.
    public let ceilMode: Bool

    /// Max pooling; traps with a message naming the argument when one is invalid.
    public init(dims: Int, kernelSize: [Int], stride: [Int]?, padding: [Int], dilation: [Int], returnIndices: Bool, ceilMode: Bool) {
        checkPoolNdArguments(String(describing: Self.self), dims: dims, kernel: kernelSize, stride: stride, padding: padding,
                             dilation: dilation)
        self.dims = dims
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.returnIndices = returnIndices
        self.ceilMode = ceilMode
        super.init()
    }

    func pool(_ input: Tensor) -> (output: Tensor, indices: IntTensor) {
        maxPoolNd(input, dims: dims, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                  op: "max_pool\(dims)d")
    }

    public func forward(_ input: Tensor) -> Tensor { pool(input).output }

    /// The pooled output and the in-plane index of each maximum (for `MaxUnpool`).
    public func callAsFunction(withIndices input: Tensor) -> (output: Tensor, indices: IntTensor) {
        call(inputs: [input], outputs: { [$0.output] }) { pool(input) }
    }

    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard returnIndices else { return try super.forward(tensors: inputs) }
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected 1 input tensor, got \(inputs.count)") }
        let r = self(withIndices: inputs[0])
        return [r.output, r.output.isMeta ? .meta(r.output.shape) : r.indices.toFloat()]
    }

    open override func extraRepr() -> String {
        "kernel_size=\(pythonIntOrTuple(kernelSize)), stride=\(pythonIntOrTuple(stride)), padding=\(pythonIntOrTuple(padding)), "
            + "dilation=\(pythonIntOrTuple(dilation)), ceil_mode=\(pythonBool(ceilMode))"
    }
}

/// 1-D max pooling over [N, C, L] (or [C, L]), like `nn.MaxPool1d`.
///
/// ```swift
/// let pool = MaxPool1d(2)     // MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
/// ```
public final class MaxPool1d: MaxPoolNd {
    /// 1-D max pooling; `stride` defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, returnIndices: Bool = false,
                ceilMode: Bool = false) {
        super.init(dims: 1, kernelSize: [kernelSize], stride: stride.map { [$0] }, padding: [padding], dilation: [dilation],
                   returnIndices: returnIndices, ceilMode: ceilMode)
    }
}

/// 3-D max pooling over [N, C, D, H, W] (or [C, D, H, W]), like `nn.MaxPool3d`.
public final class MaxPool3d: MaxPoolNd {
    /// 3-D max pooling; sizes take one value or three, `stride` defaults to the kernel size.
    public init(_ kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], returnIndices: Bool = false,
                ceilMode: Bool = false) {
        super.init(dims: 3, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                   returnIndices: returnIndices, ceilMode: ceilMode)
    }
}

extension MaxPool2d {
    /// The pooled output and the in-plane index (h·W + w) of each maximum,
    /// like `MaxPool2d(return_indices=True)`.
    public func callAsFunction(withIndices input: Tensor) -> (output: Tensor, indices: IntTensor) {
        call(inputs: [input], outputs: { [$0.output] }) {
            maxPool2dWithIndices(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
        }
    }
}

/// 1-D average pooling over [N, C, L] (or [C, L]), like `nn.AvgPool1d`.
public final class AvgPool1d: Module, UnaryLayer {
    /// Window size.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// Implicit zero padding.
    public let padding: Int
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor.
    public let countIncludePad: Bool

    /// 1-D average pooling; `stride` defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        checkPoolNdArguments("AvgPool1d", dims: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [padding])
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        avgPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
    public override func extraRepr() -> String {
        "kernel_size=\(pythonTuple([kernelSize])), stride=\(pythonTuple([stride])), padding=\(pythonTuple([padding]))"
    }
}

/// 3-D average pooling over [N, C, D, H, W] (or [C, D, H, W]), like `nn.AvgPool3d`.
public final class AvgPool3d: Module, UnaryLayer {
    /// Window size (one value or three).
    public let kernelSize: [Int]
    /// Step between windows.
    public let stride: [Int]
    /// Implicit zero padding.
    public let padding: [Int]
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor.
    public let countIncludePad: Bool
    /// A fixed divisor instead of the window size, or nil.
    public let divisorOverride: Int?

    /// 3-D average pooling; `stride` defaults to the kernel size.
    public init(_ kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true,
                divisorOverride: Int? = nil) {
        checkPoolNdArguments("AvgPool3d", dims: 3, kernel: kernelSize, stride: stride, padding: padding)
        precondition(divisorOverride != 0, "AvgPool3d: divisor must be not zero")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        avgPool3d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
                  divisorOverride: divisorOverride)
    }
    public override func extraRepr() -> String {
        "kernel_size=\(pythonIntOrTuple(kernelSize)), stride=\(pythonIntOrTuple(stride)), padding=\(pythonIntOrTuple(padding))"
    }
}

/// Power-average pooling (Σ xᵖ)^(1/p), the base of `LPPool1d`/`LPPool2d`.
open class LPPoolNd: Module, UnaryLayer {
    /// The power p.
    public let normType: Double
    /// Window size (one value or one per dim).
    public let kernelSize: [Int]
    /// Step between windows (nil: the kernel size).
    public let stride: [Int]?
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    let dims: Int

    /// LP pooling over `dims` spatial dims.
    public init(dims: Int, normType: Double, kernelSize: [Int], stride: [Int]?, ceilMode: Bool) {
        checkPoolNdArguments(String(describing: Self.self), dims: dims, kernel: kernelSize, stride: stride, padding: [0])
        self.dims = dims
        self.normType = normType
        self.kernelSize = kernelSize
        self.stride = stride
        self.ceilMode = ceilMode
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        if dims == 1 { return lpPool1d(input, normType: normType, kernelSize: kernelSize[0], stride: stride?[0], ceilMode: ceilMode) }
        let k = expandSize(kernelSize, 2)
        return lpPool2d(input, normType: normType, kernelSize: Size2(k[0], k[1]), stride: stride.map { let s = expandSize($0, 2); return Size2(s[0], s[1]) },
                        ceilMode: ceilMode)
    }
    open override func extraRepr() -> String {
        let p = normType == normType.rounded() && abs(normType) < 1e15 ? String(Int(normType)) : pythonFloat(normType)
        return "norm_type=\(p), kernel_size=\(pythonIntOrTuple(kernelSize)), stride=\(stride.map(pythonIntOrTuple) ?? "None"), ceil_mode=\(pythonBool(ceilMode))"
    }
}

/// Power-average pooling over 1-D windows, like `nn.LPPool1d`.
public final class LPPool1d: LPPoolNd {
    /// LP pooling with power `normType`.
    public init(_ normType: Double, _ kernelSize: Int, stride: Int? = nil, ceilMode: Bool = false) {
        super.init(dims: 1, normType: normType, kernelSize: [kernelSize], stride: stride.map { [$0] }, ceilMode: ceilMode)
    }
}

/// Power-average pooling over 2-D windows, like `nn.LPPool2d`.
public final class LPPool2d: LPPoolNd {
    /// LP pooling with power `normType`; sizes take one value or two.
    public init(_ normType: Double, _ kernelSize: [Int], stride: [Int]? = nil, ceilMode: Bool = false) {
        super.init(dims: 2, normType: normType, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode)
    }
}

/// Adaptive max or average pooling to a fixed output size (nil keeps a dim),
/// the base of the `AdaptiveMaxPool*`/`AdaptiveAvgPool1d/3d` layers.
open class AdaptivePoolNd: Module, UnaryLayer {
    /// Output size per spatial dim (one value or one per dim; nil keeps the input's).
    public let outputSize: [Int?]
    /// Whether `forward(tensors:)` also returns the indices (max only).
    public let returnIndices: Bool
    let dims: Int
    let isMax: Bool

    /// Adaptive pooling over `dims` spatial dims.
    public init(dims: Int, outputSize: [Int?], max: Bool, returnIndices: Bool) {
        precondition(outputSize.count == 1 || outputSize.count == dims,
                     "\(String(describing: Self.self)): output_size must be an int or a tuple of \(dims) values")
        precondition(outputSize.allSatisfy { ($0 ?? 0) >= 0 }, "\(String(describing: Self.self)): output_size must be non-negative")
        self.dims = dims
        self.outputSize = outputSize
        self.isMax = max
        self.returnIndices = returnIndices
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        adaptivePoolNd(input, dims: dims, outputSize: outputSize, max: isMax, op: "adaptive_\(isMax ? "max" : "avg")_pool\(dims)d").0
    }

    /// The pooled output and the in-plane index of each maximum (max pools).
    public func callAsFunction(withIndices input: Tensor) -> (output: Tensor, indices: IntTensor) {
        call(inputs: [input], outputs: { [$0.output] }) { adaptiveMaxPool(input, dims: dims, outputSize: outputSize) }
    }

    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard returnIndices && isMax else { return try super.forward(tensors: inputs) }
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected 1 input tensor, got \(inputs.count)") }
        let r = self(withIndices: inputs[0])
        return [r.output, r.output.isMeta ? .meta(r.output.shape) : r.indices.toFloat()]
    }

    open override func extraRepr() -> String { "output_size=\(pythonOutputSize(outputSize))" }
}

/// Adaptive max pooling over the last dim, like `nn.AdaptiveMaxPool1d`.
public final class AdaptiveMaxPool1d: AdaptivePoolNd {
    /// Pooling to `outputSize`.
    public init(_ outputSize: Int, returnIndices: Bool = false) {
        super.init(dims: 1, outputSize: [outputSize], max: true, returnIndices: returnIndices)
    }
}

/// Adaptive max pooling over the last two dims, like `nn.AdaptiveMaxPool2d`.
///
/// ```swift
/// AdaptiveMaxPool2d([2, nil])   // AdaptiveMaxPool2d(output_size=(2, None))
/// ```
public final class AdaptiveMaxPool2d: AdaptivePoolNd {
    /// Pooling to `outputSize` (one value or two; nil keeps a dim).
    public init(_ outputSize: [Int?], returnIndices: Bool = false) {
        super.init(dims: 2, outputSize: outputSize, max: true, returnIndices: returnIndices)
    }
}

/// Adaptive max pooling over the last three dims, like `nn.AdaptiveMaxPool3d`.
public final class AdaptiveMaxPool3d: AdaptivePoolNd {
    /// Pooling to `outputSize` (one value or three; nil keeps a dim).
    public init(_ outputSize: [Int?], returnIndices: Bool = false) {
        super.init(dims: 3, outputSize: outputSize, max: true, returnIndices: returnIndices)
    }
}

/// Adaptive average pooling over the last dim, like `nn.AdaptiveAvgPool1d`.
public final class AdaptiveAvgPool1d: AdaptivePoolNd {
    /// Pooling to `outputSize`.
    public init(_ outputSize: Int) { super.init(dims: 1, outputSize: [outputSize], max: false, returnIndices: false) }
}

/// Adaptive average pooling over the last three dims, like `nn.AdaptiveAvgPool3d`.
public final class AdaptiveAvgPool3d: AdaptivePoolNd {
    /// Pooling to `outputSize` (one value or three; nil keeps a dim).
    public init(_ outputSize: [Int?]) { super.init(dims: 3, outputSize: outputSize, max: false, returnIndices: false) }
}

/// Max unpooling, the partial inverse of a max pool with indices (PyTorch's `_MaxUnpoolNd`).
///
/// ```swift
/// let (y, idx) = MaxPool1d(2, returnIndices: true)(withIndices: x)
/// let back = MaxUnpool1d(2)(y, indices: idx)     // x's maxima in place, zeros elsewhere
/// ```
open class MaxUnpoolNd: Module {
    /// Window size of the pool being inverted (expanded per dim).
    public let kernelSize: [Int]
    /// Its stride (defaults to the kernel size).
    public let stride: [Int]
    /// Its padding.
    public let padding: [Int]
    let dims: Int

    /// Max unpooling over `dims` spatial dims.
    public init(dims: Int, kernelSize: [Int], stride: [Int]?, padding: [Int]) {
        checkPoolNdArguments(String(describing: Self.self), dims: dims, kernel: kernelSize, stride: stride, padding: [0])
        self.dims = dims
        self.kernelSize = expandSize(kernelSize, dims)
        self.stride = expandSize(stride ?? kernelSize, dims)
        self.padding = expandSize(padding, dims)
        super.init()
    }

    /// Places `input`'s values at `indices` in zeros of the output size
    /// (computed from the window, or `outputSize`).
    public func callAsFunction(_ input: Tensor, indices: IntTensor, outputSize: [Int]? = nil) -> Tensor {
        call(inputs: [input], outputs: { [$0] }) {
            maxUnpool(input, indices: indices, dims: dims, kernelSize: kernelSize, stride: stride, padding: padding, outputSize: outputSize)
        }
    }

    /// Tools' erased call: `[input, indices]` (indices as a float tensor).
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected 2 input tensors (input, indices), got \(inputs.count)") }
        let idx = inputs[1].isMeta ? IntTensor([Int](repeating: 0, count: inputs[1].count), shape: inputs[1].shape)
            : IntTensor(inputs[1].toArray().map { Int($0) }, shape: inputs[1].shape)
        return [self(inputs[0], indices: idx)]
    }

    open override func extraRepr() -> String {
        "kernel_size=\(pythonTuple(kernelSize)), stride=\(pythonTuple(stride)), padding=\(pythonTuple(padding))"
    }
}

/// Inverse of `MaxPool1d`, like `nn.MaxUnpool1d`.
public final class MaxUnpool1d: MaxUnpoolNd {
    /// Unpooling for a pool with these window arguments.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        super.init(dims: 1, kernelSize: [kernelSize], stride: stride.map { [$0] }, padding: [padding])
    }
}

/// Inverse of `MaxPool2d`, like `nn.MaxUnpool2d`.
public final class MaxUnpool2d: MaxUnpoolNd {
    /// Unpooling for a pool with these window arguments (one value or two).
    public init(_ kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0]) {
        super.init(dims: 2, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Inverse of `MaxPool3d`, like `nn.MaxUnpool3d`.
public final class MaxUnpool3d: MaxUnpoolNd {
    /// Unpooling for a pool with these window arguments (one value or three).
    public init(_ kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0]) {
        super.init(dims: 3, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Fractional max pooling (Graham 2014), like `nn.FractionalMaxPool2d`:
/// windows at pseudo-random offsets reach `outputSize` or
/// ⌊input · outputRatio⌋. Offsets come from `generator` (seeded, the global
/// default when nil) on every call; `callAsFunction(withIndices:)` also
/// returns the in-plane indices.
///
/// ```swift
/// let pool = FractionalMaxPool2d(3, outputRatio: (0.5, 0.5), generator: Generator(seed: 1))
/// ```
public final class FractionalMaxPool2d: Module, UnaryLayer {
    /// Window height and width.
    public let kernelSize: Size2
    /// Fixed output size, or nil.
    public let outputSize: Size2?
    /// Output size as a fraction of the input's (each in (0, 1)), or nil.
    public let outputRatio: (Double, Double)?
    /// Whether `forward(tensors:)` also returns the indices.
    public let returnIndices: Bool
    /// The source of the offsets (the global default when nil).
    public var generator: Generator?

    /// Fractional max pooling; exactly one of `outputSize` and `outputRatio` is given.
    public init(_ kernelSize: Size2, outputSize: Size2? = nil, outputRatio: (Double, Double)? = nil, returnIndices: Bool = false,
                generator: Generator? = nil) {
        precondition(outputSize != nil || outputRatio != nil,
                     "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio")
        precondition(outputSize == nil || outputRatio == nil, "FractionalMaxPool2d: only one of output_size and output_ratio may be specified")
        if let r = outputRatio {
            precondition(r.0 > 0 && r.0 < 1 && r.1 > 0 && r.1 < 1, "FractionalMaxPool2d: output_ratio must be between 0 and 1 (got \(r))")
        }
        self.kernelSize = kernelSize
        self.outputSize = outputSize
        self.outputRatio = outputRatio
        self.returnIndices = returnIndices
        self.generator = generator
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        fractionalMaxPool2d(input, kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio, generator: generator).output
    }

    /// The pooled output and the in-plane index of each maximum.
    public func callAsFunction(withIndices input: Tensor) -> (output: Tensor, indices: IntTensor) {
        call(inputs: [input], outputs: { [$0.output] }) {
            fractionalMaxPool2d(input, kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio, generator: generator)
        }
    }

    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard returnIndices else { return try super.forward(tensors: inputs) }
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected 1 input tensor, got \(inputs.count)") }
        let r = self(withIndices: inputs[0])
        return [r.output, r.output.isMeta ? .meta(r.output.shape) : r.indices.toFloat()]
    }
}
