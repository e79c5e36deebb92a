// Padding layers, like torch/nn/modules/padding.py: each pads the last 1, 2
// or 3 dims by `Tensor.pad(_:mode:value:)`.

/// The shared base of the padding layers (PyTorch's `_ReflectionPadNd`,
/// `_ReplicationPadNd`, `_ConstantPadNd`): `padding` as (before, after)
/// pairs from the last dim, `[left, right, top, bottom, front, back]`.
open class PaddingLayer: Module, UnaryLayer {
    /// Amounts as (before, after) pairs starting from the last dim (2·dims values).
    public let padding: [Int]
    /// How the border is filled.
    public let mode: PadMode
    /// The fill value of `.constant`.
    public let value: Double

    /// A padding layer over `dims` trailing dims; `padding` has one value
    /// (used for every side) or 2·dims values.
    public init(dims: Int, padding: [Int], mode: PadMode, value: Double = 0) {
        let name = String(describing: Self.self)
        precondition(padding.count == 1 || padding.count == 2 * dims,
                     "\(name): padding must be an int or a tuple of \(2 * dims) ints, got \(padding)")
        self.padding = padding.count == 1 ? [Int](repeating: padding[0], count: 2 * dims) : padding
        self.mode = mode
        self.value = value
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor { input.pad(padding, mode: mode, value: Float(value)) }

    open override func extraRepr() -> String { pythonTuple(padding) }
}

/// Pads the last dim with its mirror image, like `nn.ReflectionPad1d`.
///
/// ```swift
/// let pad = ReflectionPad1d(2)      // ReflectionPad1d((2, 2))
/// ```
public final class ReflectionPad1d: PaddingLayer {
    /// Pads `padding` (one amount or `[left, right]`).
    public init(_ padding: Int) { super.init(dims: 1, padding: [padding], mode: .reflect) }
    /// Pads `[left, right]`.
    public init(_ padding: [Int]) { super.init(dims: 1, padding: padding, mode: .reflect) }
}

/// Pads the last two dims with their mirror image, like `nn.ReflectionPad2d`.
public final class ReflectionPad2d: PaddingLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 2, padding: [padding], mode: .reflect) }
    /// Pads `[left, right, top, bottom]`.
    public init(_ padding: [Int]) { super.init(dims: 2, padding: padding, mode: .reflect) }
}

/// Pads the last three dims with their mirror image, like `nn.ReflectionPad3d`.
public final class ReflectionPad3d: PaddingLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 3, padding: [padding], mode: .reflect) }
    /// Pads `[left, right, top, bottom, front, back]`.
    public init(_ padding: [Int]) { super.init(dims: 3, padding: padding, mode: .reflect) }
}

/// Pads the last dim by repeating its edge, like `nn.ReplicationPad1d`.
public final class ReplicationPad1d: PaddingLayer {
    /// Pads both sides by `padding`.
    public init(_ padding: Int) { super.init(dims: 1, padding: [padding], mode: .replicate) }
    /// Pads `[left, right]`.
    public init(_ padding: [Int]) { super.init(dims: 1, padding: padding, mode: .replicate) }
}

/// Pads the last two dims by repeating their edges, like `nn.ReplicationPad2d`.
public final class ReplicationPad2d: PaddingLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 2, padding: [padding], mode: .replicate) }
    /// Pads `[left, right, top, bottom]`.
    public init(_ padding: [Int]) { super.init(dims: 2, padding: padding, mode: .replicate) }
}

/// Pads the last three dims by repeating their edges, like `nn.ReplicationPad3d`.
public final class ReplicationPad3d: PaddingLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 3, padding: [padding], mode: .replicate) }
    /// Pads `[left, right, top, bottom, front, back]`.
    public init(_ padding: [Int]) { super.init(dims: 3, padding: padding, mode: .replicate) }
}

/// Pads the last dims with a constant, like `nn.ConstantPad1d/2d/3d`
/// (printed `padding=(…), value=…`).
open class ConstantPadLayer: PaddingLayer {
    /// A constant pad of `dims` trailing dims.
    public init(dims: Int, padding: [Int], value: Double) { super.init(dims: dims, padding: padding, mode: .constant, value: value) }
    open override func extraRepr() -> String { "padding=\(pythonTuple(padding)), value=\(pythonFloat(value))" }
}

/// Pads the last dim with `value`, like `nn.ConstantPad1d`.
public final class ConstantPad1d: ConstantPadLayer {
    /// Pads both sides by `padding`.
    public init(_ padding: Int, value: Double) { super.init(dims: 1, padding: [padding], value: value) }
    /// Pads `[left, right]`.
    public init(_ padding: [Int], value: Double) { super.init(dims: 1, padding: padding, value: value) }
}

/// Pads the last two dims with `value`, like `nn.ConstantPad2d`.
public final class ConstantPad2d: ConstantPadLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int, value: Double) { super.init(dims: 2, padding: [padding], value: value) }
    /// Pads `[left, right, top, bottom]`.
    public init(_ padding: [Int], value: Double) { super.init(dims: 2, padding: padding, value: value) }
}

/// Pads the last three dims with `value`, like `nn.ConstantPad3d`.
public final class ConstantPad3d: ConstantPadLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int, value: Double) { super.init(dims: 3, padding: [padding], value: value) }
    /// Pads `[left, right, top, bottom, front, back]`.
    public init(_ padding: [Int], value: Double) { super.init(dims: 3, padding: padding, value: value) }
}

/// Pads the last dim with zeros, like `nn.ZeroPad1d`.
public final class ZeroPad1d: ConstantPadLayer {
    /// Pads both sides by `padding`.
    public init(_ padding: Int) { super.init(dims: 1, padding: [padding], value: 0) }
    /// Pads `[left, right]`.
    public init(_ padding: [Int]) { super.init(dims: 1, padding: padding, value: 0) }
    public override func extraRepr() -> String { pythonTuple(padding) }
}

/// Pads the last two dims with zeros, like `nn.ZeroPad2d`.
public final class ZeroPad2d: ConstantPadLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 2, padding: [padding], value: 0) }
    /// Pads `[left, right, top, bottom]`.
    public init(_ padding: [Int]) { super.init(dims: 2, padding: padding, value: 0) }
    public override func extraRepr() -> String { pythonTuple(padding) }
}

/// Pads the last three dims with zeros, like `nn.ZeroPad3d`.
public final class ZeroPad3d: ConstantPadLayer {
    /// Pads every side by `padding`.
    public init(_ padding: Int) { super.init(dims: 3, padding: [padding], value: 0) }
    /// Pads `[left, right, top, bottom, front, back]`.
    public init(_ padding: [Int]) { super.init(dims: 3, padding: padding, value: 0) }
    public override func extraRepr() -> String { pythonTuple(padding) }
}
