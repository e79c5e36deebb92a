/// Shape and view ops. Views share storage with their input.
extension Tensor {
    /// Resolves one `-1` in a requested shape.
    func inferShape(_ requested: [Int], op: String) -> [Int]? {
        var s = requested
        let unknown = s.indices.filter { s[$0] == -1 }
        guard check(unknown.count <= 1, op, "only one dimension can be inferred in \(requested)") else { return nil }
        let known = s.filter { $0 != -1 }.reduce(1, *)
        if let i = unknown.first {
            guard check(known != 0 && count % known == 0, op, "shape \(requested) is invalid for input of size \(count)") else { return nil }
            s[i] = count / known
        }
        guard check(s.reduce(1, *) == count && s.allSatisfy({ $0 >= 0 }), op,
                    "shape \(requested) is invalid for input of size \(count)") else { return nil }
        return s
    }

    /// A view with a new shape; requires a contiguous tensor, like `view`.
    /// One dimension may be -1 (inferred).
    public func view(_ newShape: [Int]) -> Tensor {
        guard let s = inferShape(newShape, op: "view") else { return .meta(newShape.map { Swift.max($0, 1) }) }
        if isMeta { return .meta(s) }
        guard check(isContiguous, "view", "view size is not compatible with input tensor's size and stride (shape \(shape), strides \(strides)); use reshape(...) instead") else { return .meta(s) }
        let inShape = shape
        return Tensor(storage: storage, shape: s, strides: contiguousStrides(s), offset: offset)
            .recording("ViewBackward0", [self]) { g in [g.reshape(inShape)] }
    }

    /// A view when possible, else a copy, like `reshape`.
    public func reshape(_ newShape: [Int]) -> Tensor {
        if isContiguous || isMeta { return view(newShape) }
        return contiguous().view(newShape).named("UnsafeViewBackward0")
    }

    /// Flattens dims `startDim...endDim` into one, like `torch.flatten`.
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = normalizeDim(startDim, rank, op: "flatten"), e = normalizeDim(endDim, rank, op: "flatten")
        guard check(s <= e, "flatten", "start_dim cannot come after end_dim (got \(startDim) and \(endDim) for a \(rank)-D tensor)") else { return .meta(shape) }
        let merged = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Strided view without autograd.
    func permuteView(_ dims: [Int]) -> Tensor {
        Tensor(storage: storage, shape: dims.map { shape[$0] }, strides: dims.map { strides[$0] }, offset: offset)
    }

    /// Reorders dimensions, like `permute`.
    public func permute(_ dims: [Int]) -> Tensor {
        let d = dims.map { normalizeDim($0, rank, op: "permute") }
        guard check(d.count == rank && Set(d).count == rank, "permute",
                    "number of dims don't match in permute: input has \(rank) dims, got \(dims)") else { return .meta(shape) }
        if isMeta { return .meta(d.map { shape[$0] }) }
        var inverse = [Int](repeating: 0, count: d.count)
        for (i, x) in d.enumerated() { inverse[x] = i }
        return permuteView(d).recording("PermuteBackward0", [self]) { g in [g.permute(inverse)] }
    }

    /// Swaps two dimensions, like `transpose`.
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        var p = Array(0..<rank)
        let a = normalizeDim(d0, rank, op: "transpose"), b = normalizeDim(d1, rank, op: "transpose")
        p.swapAt(a, b)
        return permute(p).named("TransposeBackward0")
    }

    /// Transpose of a 2-D tensor, like `.t()`.
    public var t: Tensor {
        guard check(rank <= 2, "t", "expects a tensor with <= 2 dimensions, but self is \(rank)D") else { return .meta(shape.reversed()) }
        return rank < 2 ? self : permute([1, 0]).named("TBackward0")
    }

    /// A broadcast view with size-1 dims repeated (stride 0), like `expand`. -1 keeps a size.
    public func expand(_ newShape: [Int]) -> Tensor {
        guard check(newShape.count >= rank, "expand",
                    "the number of sizes provided (\(newShape.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))") else { return .meta(shape) }
        let lead = newShape.count - rank
        var s = newShape
        var st = [Int](repeating: 0, count: newShape.count)
        for i in 0..<newShape.count {
            if i < lead {
                guard check(newShape[i] >= 0, "expand", "the expanded size \(newShape[i]) is not allowed in a leading, non-existing dimension") else { return .meta(shape) }
                continue
            }
            let old = shape[i - lead]
            if s[i] == -1 { s[i] = old }
            if old == s[i] { st[i] = strides[i - lead] }
            else {
                guard check(old == 1, "expand",
                            "the expanded size of the tensor (\(s[i])) must match the existing size (\(old)) at non-singleton dimension \(i); target sizes: \(newShape), tensor sizes: \(shape)") else { return .meta(shape) }
            }
        }
        if s == shape { return self }
        if isMeta { return .meta(s) }
        let inShape = shape
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
            .recording("ExpandBackward0", [self]) { g in [g.sumTo(inShape)] }
    }

    /// Expands to another tensor's shape.
    public func expand(as other: Tensor) -> Tensor { expand(other.shape) }
}

// MARK: - Squeeze, unsqueeze, flip, repeat

extension Tensor {
    /// Removes size-1 dimensions, like `squeeze()`: all of them when `dim` is
    /// nil, else only `dim` (a no-op if that dimension's size is not 1).
    public func squeeze(_ dim: Int? = nil) -> Tensor {
        var keep: [Int]
        if let dim {
            if rank == 0 {  // PyTorch accepts dim 0 / -1 on a scalar
                _ = normalizeDim(dim, rank, op: "squeeze")
                return self
            }
            let d = normalizeDim(dim, rank, op: "squeeze")
            keep = Array(0..<rank)
            if shape[d] == 1 { keep.remove(at: d) }
        } else {
            keep = (0..<rank).filter { shape[$0] != 1 }
        }
        let newShape = keep.map { shape[$0] }
        if isMeta { return .meta(newShape) }
        let inShape = shape
        return Tensor(storage: storage, shape: newShape, strides: keep.map { strides[$0] }, offset: offset)
            .recording(dim == nil ? "SqueezeBackward0" : "SqueezeBackward1", [self]) { g in [g.reshape(inShape)] }
    }

    /// Inserts a size-1 dimension at `dim` (in `-(rank+1)...rank`), like `unsqueeze`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = normalizeDim(dim, rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: d)
        if isMeta { return .meta(s) }
        let inShape = shape
        return unsqueezeView(d).recording("UnsqueezeBackward0", [self]) { g in [g.reshape(inShape)] }
    }

    /// Reverses the order of elements along `dims` (a copy, like `torch.flip`).
    public func flip(_ dims: [Int]) -> Tensor {
        let d = reductionDims(dims, op: "flip")
        if isMeta { return .meta(shape) }
        return flippedView(d).contiguousCopy().recording("FlipBackward0", [self]) { g in [g.flip(d)] }
    }

    /// A view with negative strides along `dims`. Internal only: public views
    /// keep non-negative strides (BLAS and `isContiguous` assume it).
    func flippedView(_ dims: [Int]) -> Tensor {
        var st = strides, off = offset
        for d in dims where shape[d] > 0 {
            off += (shape[d] - 1) * strides[d]
            st[d] = -strides[d]
        }
        return Tensor(storage: storage, shape: shape, strides: st, offset: off)
    }

    /// Tiles the tensor `repeats[i]` times along each dimension, like
    /// `repeat`. Extra leading entries add new leading dimensions.
    ///
    /// Derived from view + expand + reshape: the gradient sums the tiles.
    public func `repeat`(_ repeats: [Int]) -> Tensor {
        guard check(repeats.count >= rank, "repeat",
                    "number of dimensions of repeat dims (\(repeats.count)) can not be smaller than number of dimensions of tensor (\(rank))"),
              check(repeats.allSatisfy { $0 >= 0 }, "repeat", "repeats must be non-negative, got \(repeats)")
        else { return .meta(shape) }
        let lead = repeats.count - rank
        let padded = [Int](repeating: 1, count: lead) + shape
        let outShape = zip(repeats, padded).map { $0 * $1 }
        if isMeta { return .meta(outShape) }
        var interleaved: [Int] = [], expanded: [Int] = []
        for (r, s) in zip(repeats, padded) {
            interleaved += [1, s]
            expanded += [r, s]
        }
        return reshape(interleaved).expand(expanded).contiguous().view(outShape).named("RepeatBackward0")
    }
}
