/// Indexing with integer tensors: `indexSelect`, `gather`, `scatterAdd`.
///
/// Indices are `IntTensor`s with non-negative values (like PyTorch, negative
/// indices are out of bounds for these ops). `gather` and `scatterAdd` are
/// each other's backward; `indexSelect`'s backward adds rows back (index_add).
extension Tensor {
    /// Picks entries `index` (a 1-D or 0-D IntTensor) along `dim`, like
    /// `index_select`. The result has `dim` of size `index.count` and its own storage.
    ///
    /// ```swift
    /// let rows = x.indexSelect(0, IntTensor([2, 0]))  // rows 2 and 0
    /// ```
    public func indexSelect(_ dim: Int, _ index: IntTensor) -> Tensor {
        let d = normalizeDim(dim, rank, op: "index_select")
        guard check(rank >= 1, "index_select", "expects a tensor with at least 1 dimension, got a 0-dim tensor"),
              check(index.rank <= 1, "index_select", "index must be 0-D or 1-D, got shape \(index.shape)")
        else { return .meta(shape) }
        var outShape = shape
        outShape[d] = index.count
        let size = shape[d]
        for v in index.values where v < 0 || v >= size {
            ShapeCheck.fail(ShapeError(op: "index_select", "index \(v) is out of range for dimension \(d) with size \(size)"))
            return .meta(outShape)
        }
        if isMeta { return .meta(outShape) }
        let outer = shape[..<d].reduce(1, *), inner = shape[(d + 1)...].reduce(1, *)
        let n = index.count
        let src = isContiguous ? self : contiguousCopy()
        defer { withExtendedLifetime(src) {} }  // raw pointers below outlive the last use of src
        let out = Tensor(uninitialized: outShape)
        let sp = UnsafePointer(src.dataPointer), op = out.storage.pointer
        index.values.withUnsafeBufferPointer { idx in
            for o in 0..<outer {
                for j in 0..<n {
                    (op + (o * n + j) * inner).update(from: sp + (o * size + idx[j]) * inner, count: inner)
                }
            }
        }
        let inShape = shape
        return out.recording("IndexSelectBackward0", [self]) { g in
            let gc = g.isContiguous ? g : g.contiguousCopy()
            defer { withExtendedLifetime(gc) {} }  // raw pointers below outlive the last use of gc
            let z = Tensor.zeros(inShape)
            let zp = z.storage.pointer, gp = UnsafePointer(gc.dataPointer)
            index.values.withUnsafeBufferPointer { idx in
                for o in 0..<outer {
                    for j in 0..<n {
                        let dst = zp + (o * size + idx[j]) * inner, from = gp + (o * n + j) * inner
                        for i in 0..<inner { dst[i] += from[i] }
                    }
                }
            }
            return [z]
        }
    }

    /// Validates `index` for gather/scatter along `d` against `shape`;
    /// returns false (after reporting) on a mismatch.
    func checkScatterIndex(_ op: String, _ d: Int, _ index: IntTensor, src: [Int]? = nil) -> Bool {
        guard check(index.rank == rank, op,
                    "index tensor must have the same number of dimensions as input tensor (index shape \(index.shape), input shape \(shape))")
        else { return false }
        for k in 0..<rank where k != d && index.shape[k] > shape[k] {
            ShapeCheck.fail(ShapeError(op: op, "size does not match at dimension \(k): expected index \(index.shape) to be smaller than self \(shape) apart from dimension \(d)"))
            return false
        }
        if let src {
            for k in 0..<rank where index.shape[k] > src[k] {
                ShapeCheck.fail(ShapeError(op: op, "size does not match at dimension \(k): expected index \(index.shape) to be smaller than src \(src)"))
                return false
            }
        }
        let size = rank == 0 ? 1 : shape[d]
        for v in index.values where v < 0 || v >= size {
            ShapeCheck.fail(ShapeError(op: op, "index \(v) is out of bounds for dimension \(d) with size \(size)"))
            return false
        }
        return true
    }

    /// out[i][j][k] = self[index[i][j][k]][j][k] (for dim 0), like `gather`.
    /// `index` has the same rank as self; the result has `index`'s shape.
    public func gather(_ dim: Int, _ index: IntTensor) -> Tensor {
        let d = normalizeDim(dim, rank, op: "gather")
        guard checkScatterIndex("gather", d, index) else { return .meta(index.shape) }
        if isMeta { return .meta(index.shape) }
        let out = Tensor(uninitialized: index.shape)
        if out.count == 0 { return out }
        var sa = strides
        let sd = rank == 0 ? 0 : strides[d]
        if rank > 0 { sa[d] = 0 }
        let p = UnsafePointer(storage.pointer), o = out.storage.pointer
        index.values.withUnsafeBufferPointer { idx in
            stridedForEach2(shape: index.shape, stridesA: sa, offsetA: offset, stridesB: sa, offsetB: 0) { pos, a, _, n, sa, _ in
                for j in 0..<n { o[pos + j] = p[a + j * sa + idx[pos + j] * sd] }
            }
        }
        let inShape = shape
        return out.recording("GatherBackward0", [self]) { g in
            [Tensor.zeros(inShape).scatterAddKernel(d, index, g)]
        }
    }

    /// Adds `source` into a copy of self at `index` along `dim`, like the
    /// out-of-place `scatter_add`: out[index[i][j]][j] += source[i][j] (dim 0).
    /// Differentiable in self (identity) and in `source` (gather).
    public func scatterAdd(_ dim: Int, _ index: IntTensor, _ source: Tensor) -> Tensor {
        let d = normalizeDim(dim, rank, op: "scatter_add")
        guard check(source.rank == rank, "scatter_add",
                    "source must have the same number of dimensions as self (source shape \(source.shape), self shape \(shape))"),
              checkScatterIndex("scatter_add", d, index, src: source.shape)
        else { return .meta(shape) }
        if isMeta || source.isMeta { return .meta(shape) }
        let out = contiguousCopy().scatterAddKernel(d, index, source)
        let srcShape = source.shape
        let needSource = source._requiresGrad
        return out.recording("ScatterAddBackward0", [self, source]) { g in
            var gs: Tensor? = nil
            if needSource {
                let gathered = g.gather(d, index)
                if srcShape == index.shape {
                    gs = gathered
                } else {  // source is larger than index: the rest got no use
                    let z = Tensor.zeros(srcShape)
                    Tensor(storage: z.storage, shape: index.shape, strides: z.strides, offset: 0).assign(gathered)
                    gs = z
                }
            }
            return [g, gs]
        }
    }

    /// self[index[p] along d, rest of p] += source[p] in place (self is a
    /// fresh contiguous tensor); no checks, no autograd. Returns self.
    func scatterAddKernel(_ d: Int, _ index: IntTensor, _ source: Tensor) -> Tensor {
        if index.count == 0 { return self }
        var sa = strides
        let sd = rank == 0 ? 0 : strides[d]
        if rank > 0 { sa[d] = 0 }
        let o = storage.pointer, sp = UnsafePointer(source.storage.pointer)
        index.values.withUnsafeBufferPointer { idx in
            stridedForEach2(shape: index.shape, stridesA: sa, offsetA: offset,
                            stridesB: source.strides, offsetB: source.offset) { pos, a, b, n, sa, sb in
                for j in 0..<n { o[a + j * sa + idx[pos + j] * sd] += sp[b + j * sb] }
            }
        }
        return self
    }
}
