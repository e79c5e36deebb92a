import Foundation

/// Sum of `n` floats: within blocks of 256, four 8-lane SIMD accumulators
/// (8 additions per lane); block sums are added in Double. Faster than a
/// scalar loop (which cannot vectorise: float addition is not associative)
/// and about as accurate as PyTorch's cascade sum.
@inline(__always)
func sumFloats(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var total = 0.0
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 256 <= n {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var j = i
        while j < i + 256 {
            a0 += raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (j + 8) * 4, as: SIMD8<Float>.self)
            a2 += raw.loadUnaligned(fromByteOffset: (j + 16) * 4, as: SIMD8<Float>.self)
            a3 += raw.loadUnaligned(fromByteOffset: (j + 24) * 4, as: SIMD8<Float>.self)
            j += 32
        }
        total += Double(((a0 + a1) + (a2 + a3)).sum())
        i += 256
    }
    var tail: Float = 0
    while i < n { tail += p[i]; i += 1 }
    return total + Double(tail)
}

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
        defer { withExtendedLifetime(src) {} }  // raw pointers below outlive the last use of src
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
        let out: Tensor
        if d.count == rank && count >= 2 * Parallel.grain && isContiguous && !isMeta {
            // One long row: split it across the workers, add the partial sums.
            let p = UnsafePointer(dataPointer), n = count
            let chunks = Swift.max(1, Swift.min(Parallel.workers, n / Parallel.grain))
            let per = (n + chunks - 1) / chunks
            var partial = [Double](repeating: 0, count: chunks)
            partial.withUnsafeMutableBufferPointer { part in
                Parallel.forEach(chunks) { c in
                    let s = c * per, e = Swift.min(n, s + per)
                    part[c] = s < e ? sumFloats(p + s, e - s) : 0
                }
            }
            out = Tensor(shape: keepdim ? [Int](repeating: 1, count: rank) : []) { $0[0] = Float(partial.reduce(0, +)) }
        } else {
            out = reduceRows(d, keepdim: keepdim) { p, n in Float(sumFloats(p, n)) }
        }
        let inShape = shape, keptShape = reducedShape(d, keepdim: true)
        return out.recording(dims == nil ? "SumBackward0" : "SumBackward1", [self]) { g in
            [g.reshape(keptShape).expand(inShape).contiguous()]
        }
    }

    /// Sum over one dimension.
    public func sum(dim: Int, keepdim: Bool = false) -> Tensor { sum(dims: [dim], keepdim: keepdim) }

    /// Mean of all elements, or over `dims`.
    public func mean(dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "mean")
        let n = d.reduce(1) { $0 * shape[$1] }
        return sum(dims: d, keepdim: keepdim).div(Float(n)).named(dims == nil ? "MeanBackward0" : "MeanBackward1")
    }

    /// Mean over one dimension.
    public func mean(dim: Int, keepdim: Bool = false) -> Tensor { mean(dims: [dim], keepdim: keepdim) }
}

// MARK: - Statistics: var, std, logsumexp, prod, norm

extension Tensor {
    /// Variance over `dims` (all when nil) with Bessel's `correction`
    /// (1 = unbiased, the PyTorch default; 0 = population), like `var`.
    ///
    /// Derived: `sum((x - mean)²) / max(0, n - correction)`.
    public func `var`(dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "var")
        let n = d.reduce(1) { $0 * shape[$1] }
        let diff = self - mean(dims: d, keepdim: true)
        return (diff * diff).sum(dims: d, keepdim: keepdim).div(Float(Swift.max(0, n - correction))).named("VarBackward0")
    }

    /// Variance over one dimension.
    public func `var`(dim: Int, correction: Int = 1, keepdim: Bool = false) -> Tensor {
        self.var(dims: [dim], correction: correction, keepdim: keepdim)
    }

    /// Standard deviation, `sqrt(var)`, like `std` (same arguments as `var`).
    public func std(dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false) -> Tensor {
        self.var(dims: dims, correction: correction, keepdim: keepdim).sqrt().named("StdBackward0")
    }

    /// Standard deviation over one dimension.
    public func std(dim: Int, correction: Int = 1, keepdim: Bool = false) -> Tensor {
        std(dims: [dim], correction: correction, keepdim: keepdim)
    }

    /// log(sum(exp(x))) over `dims`, computed stably, like `logsumexp`.
    ///
    /// Derived from primitives around a constant shift m = max (no gradient
    /// flows through m, and none is needed: the result does not depend on it).
    public func logsumexp(dims: [Int], keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "logsumexp")
        let outShape = reducedShape(d, keepdim: keepdim)
        if isMeta { return .meta(outShape) }
        let m = detach().reduceRows(d, keepdim: true) { p, n in
            var best = -Float.infinity
            for i in 0..<n where p[i] > best { best = p[i] }
            return best.isFinite ? best : 0  // all -inf (or +inf): no shift
        }
        let lse = (self - m).exp().sum(dims: d, keepdim: true).log() + m
        return lse.reshape(outShape).named("LogsumexpBackward0")
    }

    /// logsumexp over one dimension.
    public func logsumexp(dim: Int, keepdim: Bool = false) -> Tensor { logsumexp(dims: [dim], keepdim: keepdim) }

    /// Product of all elements, or over `dim`, like `prod`.
    ///
    /// A primitive: the gradient ∏_{j≠i} x_j is computed with prefix and
    /// suffix products, which stays exact when some x_j are zero (dividing
    /// the product by x_i would not).
    public func prod(dim: Int? = nil, keepdim: Bool = false) -> Tensor {
        let d = dim.map { [normalizeDim($0, rank, op: "prod")] } ?? Array(0..<rank)
        let out = reduceRows(d, keepdim: keepdim) { p, n in
            var acc: Float = 1
            for i in 0..<n { acc *= p[i] }
            return acc
        }
        let x = detach()
        return out.recording(dim == nil ? "ProdBackward0" : "ProdBackward1", [self]) { g in
            let (src, rows, len) = x.rowsForReduction(d)
            let gc = g.contiguous()
            defer { withExtendedLifetime(src) {} }  // raw pointers below outlive the last use of src
            defer { withExtendedLifetime(gc) {} }  // raw pointers below outlive the last use of gc
            let grad = Tensor(uninitialized: [rows, len])
            let xp = UnsafePointer(src.dataPointer), gp = UnsafePointer(gc.dataPointer), o = grad.storage.pointer
            for r in 0..<rows {
                let xr = xp + r * len, orow = o + r * len
                var acc: Float = 1
                for i in 0..<len { orow[i] = acc; acc *= xr[i] }
                acc = gp[r]
                for i in stride(from: len - 1, through: 0, by: -1) { orow[i] *= acc; acc *= xr[i] }
            }
            return [x.unpermuteRows(grad, d)]
        }
    }

    /// Inverse of `rowsForReduction`: a [rows, len] tensor back to self's layout.
    func unpermuteRows(_ rowsTensor: Tensor, _ dims: [Int]) -> Tensor {
        let kept = (0..<rank).filter { !dims.contains($0) }
        let perm = kept + dims
        if perm == Array(0..<rank) { return rowsTensor.reshape(shape) }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return rowsTensor.reshape(perm.map { shape[$0] }).permuteView(inverse).contiguousCopy()
    }

    /// Vector p-norm over `dims` (all when nil), like `torch.linalg.vector_norm`
    /// and `x.norm(p, dim)`: p = 2 (default), 1, any positive p, `.infinity`
    /// (max |x|), `-.infinity` (min |x|), 0 (number of nonzeros).
    ///
    /// A primitive so its gradient is 0 (not NaN) at a zero vector, like PyTorch.
    public func norm(p: Float = 2, dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        let d = reductionDims(dims, op: "norm")
        let out: Tensor
        switch p {
        case 2:
            out = reduceRows(d, keepdim: keepdim) { p, n in
                var acc: Float = 0
                for i in 0..<n { acc += p[i] * p[i] }
                return acc.squareRoot()
            }
        case 1:
            out = reduceRows(d, keepdim: keepdim) { p, n in
                var acc: Float = 0
                for i in 0..<n { acc += Swift.abs(p[i]) }
                return acc
            }
        case .infinity, -.infinity:
            let wantMax = p > 0
            out = reduceRows(d, keepdim: keepdim) { p, n in
                var best: Float = wantMax ? 0 : .infinity
                for i in 0..<n {
                    let v = Swift.abs(p[i])
                    if v.isNaN { return v }
                    if wantMax ? v > best : v < best { best = v }
                }
                return best
            }
        case 0:
            out = reduceRows(d, keepdim: keepdim) { p, n in
                var c: Float = 0
                for i in 0..<n where p[i] != 0 { c += 1 }
                return c
            }
        default:
            out = reduceRows(d, keepdim: keepdim) { q, n in
                var acc: Float = 0
                for i in 0..<n { acc += Foundation.pow(Swift.abs(q[i]), p) }
                return Foundation.pow(acc, 1 / p)
            }
        }
        let x = detach(), y = out.detach()
        let inShape = shape, keptShape = reducedShape(d, keepdim: true)
        return out.recording("LinalgVectorNormBackward0", [self]) { g in
            let gE = g.reshape(keptShape).expand(inShape)
            let nE = y.reshape(keptShape).expand(inShape)
            switch p {
            case 0:
                return [Tensor.zeros(inShape)]
            case 1:
                return [gE * x.sign()]
            case 2:
                // g·x/‖x‖, and 0 where the norm is 0.
                return [x * gE.zipElements(nE, op: "norm") { gv, nv in nv == 0 ? 0 : gv / nv }]
            case .infinity, -.infinity:
                // Split evenly among the entries that attain the extreme |x|.
                let hit = x.abs().eq(nE)
                let ties = hit.sum(dims: d, keepdim: true).expand(inShape)
                return [x.sign() * hit * gE / ties]
            default:
                // g·sign(x)·|x|^(p-1) / ‖x‖^(p-1), 0 where the norm is 0.
                let scale = gE.zipElements(nE, op: "norm") { gv, nv in nv == 0 ? 0 : gv / Foundation.pow(nv, p - 1) }
                return [x.sign() * x.abs().pow(p - 1) * scale]
            }
        }
    }

    /// p-norm over one dimension.
    public func norm(p: Float = 2, dim: Int, keepdim: Bool = false) -> Tensor {
        norm(p: p, dims: [dim], keepdim: keepdim)
    }
}
