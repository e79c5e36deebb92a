/// An n-dimensional array of `Float` with reverse-mode autograd, like `torch.Tensor`.
///
/// A tensor is a view: a shared `Storage`, a shape, strides (in elements) and an
/// offset. Views (`transpose`, `narrow`, `expand`, `view` …) share storage with
/// their base; writes through one are seen by the other.
///
/// Autograd is define-by-run: an op whose input requires grad records a `Node`
/// on its output; `backward()` walks those nodes once and frees them.
///
/// ```swift
/// let w = Tensor.randn([3, 2]).requiringGrad()
/// let y = (x.matmul(w)).relu().sum()
/// y.backward()
/// print(w.grad!)
/// ```
public final class Tensor: @unchecked Sendable {
    /// The buffer shared by this tensor and its views.
    public let storage: Storage
    /// Size of each dimension (`size()`).
    public let shape: [Int]
    /// Step in elements between neighbours along each dimension (`stride()`).
    public let strides: [Int]
    /// Index of the first element in `storage` (`storage_offset()`).
    public let offset: Int

    var _requiresGrad = false
    /// The node that produced this tensor (nil for leaves and for tensors made without grad).
    var gradFn: Node?
    var retainsGrad = false
    /// Hooks run after `backward()` has accumulated this leaf's gradient (nil: none; see `GradHooks`).
    var gradHooks: GradHooks?
    /// The gradient accumulated by `backward()` (leaves, and non-leaves after `retainGrad()`).
    public var grad: Tensor?

    // MARK: Initialisers

    init(storage: Storage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A fresh contiguous tensor on a new uninitialised storage.
    init(uninitialized shape: [Int]) {
        let n = shapeCount(shape)
        storage = Storage(count: n)
        self.shape = shape
        strides = contiguousStrides(shape)
        offset = 0
    }

    /// A tensor with `shape` and no data, for shape checking (`ShapeCheck`).
    public static func meta(_ shape: [Int]) -> Tensor {
        Tensor(storage: .meta, shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    /// A tensor holding `values` in row-major order with the given shape.
    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(shapeCount(shape) == values.count,
                     "Tensor: \(values.count) values cannot fill shape \(shape)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.pointer.update(from: base, count: values.count) }
        }
    }

    /// A 1-D tensor, like `torch.tensor([1., 2., 3.])`.
    public convenience init(_ values: [Float]) { self.init(values, shape: [values.count]) }

    /// A 2-D tensor from rows; all rows must have the same length.
    public convenience init(_ rows: [[Float]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "Tensor: rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, cols])
    }

    /// A 0-dimensional tensor holding one value.
    public convenience init(_ scalar: Float) { self.init([scalar], shape: []) }

    /// A contiguous tensor whose elements are written by `body` in row-major order.
    public convenience init(shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitialized: shape)
        try body(storage.buffer.count == count ? storage.buffer
                 : UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    // MARK: Properties

    /// Number of elements (`numel()`).
    public var count: Int { shapeCount(shape) }
    /// Number of dimensions (`dim()`).
    public var rank: Int { shape.count }
    /// True for shape-only tensors (no data), see `ShapeCheck`.
    public var isMeta: Bool { storage.isMeta }
    /// True unless the tensor was produced by a recorded op (`is_leaf`).
    public var isLeaf: Bool { gradFn == nil }
    /// The name of the backward node, like PyTorch's `grad_fn` (`AddBackward0`).
    public var gradFnName: String? { gradFn?.name }

    /// Size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int { shape[normalizeDim(dim, rank, op: "size")] }

    /// Whether elements are laid out densely in row-major order (`is_contiguous()`).
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Whether gradients flow into this tensor. Settable on leaves only.
    public var requiresGrad: Bool {
        get { _requiresGrad }
        set {
            if !newValue && gradFn != nil {
                fatalError("requiresGrad: you can only change requiresGrad flags of leaf tensors")
            }
            _requiresGrad = newValue
        }
    }

    /// Sets `requiresGrad` and returns self, like `requires_grad_()`.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Keeps `.grad` on a non-leaf tensor after `backward()`, like `retain_grad()`.
    public func retainGrad() { retainsGrad = true }

    /// The value of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item: a Tensor with \(count) elements cannot be converted to Scalar")
        precondition(!isMeta, "item: meta tensors have no data")
        return storage.pointer[offset]
    }

    /// The elements in row-major order.
    public func toArray() -> [Float] {
        if isMeta { return [] }
        let c = contiguous()
        return withExtendedLifetime(c) { Array(UnsafeBufferPointer(start: c.storage.pointer + c.offset, count: c.count)) }
    }

    /// Calls `body` with the elements in row-major order (no copy when contiguous).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let c = contiguous()
        return try withExtendedLifetime(c) { try body(UnsafeBufferPointer(start: c.storage.pointer + c.offset, count: c.count)) }
    }

    /// Mutable access to the elements of a contiguous tensor. Counts as an
    /// in-place write (bumps the storage version).
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(isContiguous, "withUnsafeMutableBufferPointer: tensor must be contiguous")
        storage.version += 1
        return try body(UnsafeMutableBufferPointer(start: storage.pointer + offset, count: count))
    }

    /// A tensor sharing storage with this one, cut off from the graph (`detach()`).
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// Contiguous pointer to the first element; only valid if `isContiguous`.
    @inline(__always) var dataPointer: UnsafeMutablePointer<Float> { storage.pointer + offset }
}

// MARK: - Shape helpers

@inline(__always)
func shapeCount(_ shape: [Int]) -> Int {
    var n = 1
    for s in shape { n *= s }
    return n
}

func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = acc
        acc *= Swift.max(shape[i], 1)
    }
    return strides
}

/// Normalises a possibly negative dim; traps (or records under ShapeCheck) when out of range.
func normalizeDim(_ dim: Int, _ rank: Int, op: String) -> Int {
    let r = Swift.max(rank, 1)
    let d = dim < 0 ? dim + r : dim
    if d < 0 || d >= r {
        ShapeCheck.fail(ShapeError(op: op, "dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))"))
        return 0
    }
    return d
}
