/// Basic indexing: `narrow`, `slice`, `select` and the `t[...]` subscript.
///
/// All of them return views that share storage with their input. Their
/// backward rule writes the output gradient into the viewed region of a
/// zero tensor shaped like the input.
extension Tensor {
    /// A view of `length` elements of `dim` starting at `start` (negative
    /// counts from the end), like `narrow`.
    public func narrow(_ dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalizeDim(dim, rank, op: "narrow")
        guard check(rank > 0, "narrow", "cannot be applied to a 0-dim tensor") else { return .meta([]) }
        let size = shape[d]
        let s = start < 0 ? start + size : start
        guard check(s >= 0 && s <= size, "narrow",
                    "start (\(start)) is out of bounds for dimension \(d) of size \(size) (shape \(shape))"),
              check(length >= 0 && s + length <= size, "narrow",
                    "start (\(start)) + length (\(length)) exceeds dimension size (\(size)) of dimension \(d) (shape \(shape))")
        else { return .meta(shape) }
        return sliceRecorded(d, s, length, 1)
    }

    /// A view of `start..<end` along `dim` every `step` elements, like
    /// `x[:, start:end:step]`. Bounds follow Python: negative values count
    /// from the end, out-of-range bounds are clamped, nil means the edge.
    public func slice(_ dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) -> Tensor {
        let d = normalizeDim(dim, rank, op: "slice")
        guard check(rank > 0, "slice", "cannot be applied to a 0-dim tensor"),
              check(step > 0, "slice", "step must be greater than zero, got \(step)") else { return .meta(shape) }
        let size = shape[d]
        func clampBound(_ v: Int?, _ fallback: Int) -> Int {
            guard var v else { return fallback }
            if v < 0 { v += size }
            return Swift.min(Swift.max(v, 0), size)
        }
        let s = clampBound(start, 0)
        let e = Swift.max(clampBound(end, size), s)
        let length = (e - s + step - 1) / step
        return sliceRecorded(d, s, length, step)
    }

    /// The sub-tensor at `index` along `dim`, removing that dimension, like
    /// `x.select(dim, index)` or `x[index]`.
    public func select(_ dim: Int, _ index: Int) -> Tensor {
        let d = normalizeDim(dim, rank, op: "select")
        guard check(rank > 0, "select", "cannot be applied to a 0-dim tensor") else { return .meta([]) }
        let size = shape[d]
        let i = index < 0 ? index + size : index
        var outShape = shape
        outShape.remove(at: d)
        guard check(i >= 0 && i < size, "select",
                    "index \(index) is out of bounds for dimension \(d) with size \(size)") else { return .meta(outShape) }
        if isMeta { return .meta(outShape) }
        let inShape = shape
        return selectView(d, i).recording("SelectBackward0", [self]) { g in
            let z = Tensor.zeros(inShape)
            z.selectView(d, i).assign(g)
            return [z]
        }
    }

    /// Slice with validated, non-negative arguments; records `SliceBackward0`.
    func sliceRecorded(_ d: Int, _ start: Int, _ length: Int, _ step: Int) -> Tensor {
        if isMeta {
            var s = shape
            s[d] = length
            return .meta(s)
        }
        let inShape = shape
        return sliceView(d, start, length, step).recording("SliceBackward0", [self]) { g in
            let z = Tensor.zeros(inShape)
            z.sliceView(d, start, length, step).assign(g)
            return [z]
        }
    }

    /// Strided view without autograd or checks.
    func sliceView(_ d: Int, _ start: Int, _ length: Int, _ step: Int) -> Tensor {
        var s = shape, st = strides
        s[d] = length
        st[d] = strides[d] * step
        return Tensor(storage: storage, shape: s, strides: st, offset: offset + start * strides[d])
    }

    /// View dropping dim `d` at index `i`, without autograd or checks.
    func selectView(_ d: Int, _ i: Int) -> Tensor {
        var s = shape, st = strides
        s.remove(at: d)
        st.remove(at: d)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset + i * strides[d])
    }

    /// Copies `source` (broadcast to self's shape) into self without autograd
    /// checks or a version bump: for filling freshly allocated outputs.
    func assign(_ source: Tensor) {
        updateKernel(with: source, op: "assign", Kernels.Second())
    }
}

// MARK: - Subscripts

/// One component of a tensor subscript: `x[1]`, `x[0..<2]`, `x[.all, 3]`,
/// `x[.ellipsis, 0]`, `x[.newAxis]`, `x[.stride(0, nil, by: 2)]`.
public struct TensorIndex: Sendable {
    enum Kind: Sendable {
        case index(Int)
        case range(start: Int?, end: Int?, step: Int)
        case newAxis
        case ellipsis
    }
    let kind: Kind
}

/// Types usable inside `tensor[...]`: `Int`, Swift ranges and `TensorIndex`.
public protocol TensorIndexConvertible {
    var tensorIndex: TensorIndex { get }
}

// The named indices live on the protocol (constrained to TensorIndex) so that
// `.all` and `.ellipsis` resolve inside the variadic subscript.
extension TensorIndexConvertible where Self == TensorIndex {
    /// The full range of a dimension (`:`).
    public static var all: TensorIndex { TensorIndex(kind: .range(start: nil, end: nil, step: 1)) }
    /// As many full slices as needed (`...`).
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// Inserts a size-1 dimension (`None`).
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Python's `start:end:step`; nil bounds mean the edges, negatives count from the end.
    public static func stride(_ start: Int?, _ end: Int?, by step: Int) -> TensorIndex {
        TensorIndex(kind: .range(start: start, end: end, step: step))
    }
}

extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }
extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { TensorIndex(kind: .index(self)) } }
extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .stride(lowerBound, upperBound, by: 1) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .stride(lowerBound, upperBound == -1 ? nil : upperBound + 1, by: 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .stride(lowerBound, nil, by: 1) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .stride(nil, upperBound, by: 1) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .stride(nil, upperBound == -1 ? nil : upperBound + 1, by: 1) }
}

extension Tensor {
    /// Basic indexing like PyTorch's `x[1, 2:5, ..., None]`: a view.
    ///
    /// ```swift
    /// let row = x[0]            // x[0]
    /// let cols = x[.all, 1..<3] // x[:, 1:3]
    /// let last = x[.ellipsis, -1]
    /// ```
    ///
    /// Setting copies into the view, like `x[0] = y`: an in-place write, so
    /// the same rules as `copy(from:)` apply (refused on tensors that are part
    /// of an autograd graph while grad mode is on), and the copy itself is not
    /// recorded by autograd.
    public subscript(_ items: any TensorIndexConvertible...) -> Tensor {
        get { indexed(items.map { $0.tensorIndex }) }
        set {
            checkInPlace("index_put_")
            noGrad { indexed(items.map { $0.tensorIndex }) }.assign(newValue)
        }
    }

    func indexed(_ items: [TensorIndex]) -> Tensor {
        var consuming = 0, ellipses = 0
        for item in items {
            switch item.kind {
            case .index, .range: consuming += 1
            case .ellipsis: ellipses += 1
            case .newAxis: break
            }
        }
        guard check(ellipses <= 1, "index", "an index can only have a single ellipsis ('...')"),
              check(consuming <= rank, "index", "too many indices for tensor of dimension \(rank) (got \(consuming))")
        else { return .meta(shape) }
        var result = self
        var dim = 0
        for item in items {
            switch item.kind {
            case .index(let i):
                result = result.select(dim, i)
            case .range(let s, let e, let step):
                if s == nil && e == nil && step == 1 { dim += 1; continue }
                result = result.slice(dim, start: s, end: e, step: step)
                dim += 1
            case .newAxis:
                result = result.unsqueeze(dim)
                dim += 1
            case .ellipsis:
                dim += rank - consuming
            }
        }
        return result
    }
}
