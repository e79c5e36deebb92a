/// Reductions over dimensions with `keepdim`, like `torch.sum(x, dim, keepdim)`.
extension Tensor {
    /// Normalised, sorted, de-duplicated dims; all dims when `dims` is nil.
    func reductionDims(_ dims: [Int]?, op: String) -> [Int] {
        guard let dims else { return Array(0..<rank) }
        if rank == 0 { return [] }
        var seen = Set<Int>()
        for d in dims {
            let n = normalizeDim(d, rank, op: op)
            if !seen.insert(n).inserted {
                ShapeCheck.fail(ShapeError(op: op, "dim \(n) appears multiple times in the list of dims"))
            }
        }
        return seen.sorted()
    }

    /// Output shape of reducing `dims`.
    func reducedShape(_ dims: [Int], keepdim: Bool) -> [Int] {
        var out: [Int] = []
        for i in 0..<rank {
            if dims.contains(i) { if keepdim { out.append(1) } } else { out.append(shape[i]) }
        }
        return out
    }

    /// A contiguous tensor whose rows (last axis, length = product of `dims`)
    /// are the groups to reduce, plus the number of rows.
    func rowsForReduction(_ dims: [Int]) -> (Tensor, rows: Int, len: Int) {
        let kept = (0..<rank).filter { !dims.contains($0) }
        let len = dims.reduce(1) { $0 * shape[$1] }
        let rows = kept.reduce(1) { $0 * shape[$1] }
        let perm = kept + dims
        let moved = perm == Array(0..<rank) ? self : permuteView(perm)
        return (moved.isContiguous ? moved : moved.contiguousCopy(), rows, len)
    }

    /// Reduces each row with `body(pointer, length) -> value`.
    @inline(__always)
    func reduceRows(_ dims: [Int], keepdim: Bool, _ body: (UnsafePointer<Float>, Int) -> Float) -> Tensor {
        let outShape = reducedShape(dims, keepdim: keepdim)
        if isMeta { return .meta(outShape) }
        let (src, rows, len) = rowsForReduction(dims)
        let out = Tensor(uninitialized: outShape)
        let o = out.storage.pointer
        let p = UnsafePointer(src.dataPointer)
        Parallel.forRange(rows, grain: Swift.max(1, Parallel.grain / Swift.max(len, 1))) { s, e in
            for r in s..<e { o[r] = body(p + r * len, len) }
        }
        return out
    }

    /// Sum of all elements (0-dim result), or over `dims`.
    public func sum(dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "sum")
        let out = reduceRows(d, keepdim: keepdim) { p, n in
            var acc: Float = 0
            for i in 0..<n { acc += p[i] }
            return acc
        }
        let inShape = shape, keptShape = reducedShape(d, keepdim: true)
        return out.recording("SumBackward1", [self]) { g in [g.reshape(keptShape).expand(inShape).contiguous()] }
    }

    public func sum(dim: Int, keepdim: Bool = false) -> Tensor { sum(dims: [dim], keepdim: keepdim) }

    /// Mean of all elements, or over `dims`.
    public func mean(dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "mean")
        let n = d.reduce(1) { $0 * shape[$1] }
        return sum(dims: d, keepdim: keepdim) * (1 / Float(n))
    }

    public func mean(dim: Int, keepdim: Bool = false) -> Tensor { mean(dims: [dim], keepdim: keepdim) }
}
