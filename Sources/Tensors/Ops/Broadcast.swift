/// PyTorch broadcasting: align shapes at the right; sizes must match or be 1.
func broadcastShapes(_ a: [Int], _ b: [Int], op: String) -> [Int]? {
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        if da == db || db == 1 { out[i] = da }
        else if da == 1 { out[i] = db }
        else {
            ShapeCheck.fail(ShapeError(op: op, "the size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i); shapes \(a) and \(b) cannot be broadcast"))
            return nil
        }
    }
    return out
}

/// Strides that read `t` as if expanded to `shape` (0 along broadcast dims).
func broadcastStrides(_ t: Tensor, to shape: [Int]) -> [Int] {
    let n = shape.count
    let lead = n - t.rank
    var s = [Int](repeating: 0, count: n)
    for i in 0..<t.rank where t.shape[i] != 1 || shape[lead + i] == 1 {
        s[lead + i] = t.shape[i] == 1 ? 0 : t.strides[i]
    }
    return s
}

/// Visits every element of `shape` in row-major order, passing the element
/// offsets into up to two strided operands. Inner dimension is a tight loop.
@inline(__always)
func stridedForEach2(shape: [Int], stridesA: [Int], offsetA: Int, stridesB: [Int], offsetB: Int,
                     _ body: (_ out: Int, _ a: Int, _ b: Int, _ n: Int, _ sa: Int, _ sb: Int) -> Void) {
    let rank = shape.count
    if rank == 0 { body(0, offsetA, offsetB, 1, 0, 0); return }
    let inner = shape[rank - 1]
    let sa = stridesA[rank - 1], sb = stridesB[rank - 1]
    let total = shapeCount(shape)
    if total == 0 { return }
    var idx = [Int](repeating: 0, count: rank)
    var oa = offsetA, ob = offsetB
    var out = 0
    while out < total {
        body(out, oa, ob, inner, sa, sb)
        out += inner
        var d = rank - 2
        while d >= 0 {
            idx[d] += 1
            oa += stridesA[d]
            ob += stridesB[d]
            if idx[d] < shape[d] { break }
            oa -= stridesA[d] * shape[d]
            ob -= stridesB[d] * shape[d]
            idx[d] = 0
            d -= 1
        }
    }
}

/// `stridedForEach2` split across the Dispatch workers along dimension 0 for
/// large shapes. Only for loops whose iterations write distinct output
/// elements (`out` positions): new tensors, never in-place updates.
@inline(__always)
func parallelStridedForEach2(shape: [Int], stridesA: [Int], offsetA: Int, stridesB: [Int], offsetB: Int,
                             _ body: (_ out: Int, _ a: Int, _ b: Int, _ n: Int, _ sa: Int, _ sb: Int) -> Void) {
    let total = shapeCount(shape)
    guard shape.count >= 2, shape[0] >= 2, total >= 2 * Parallel.grain, Parallel.workers > 1 else {
        stridedForEach2(shape: shape, stridesA: stridesA, offsetA: offsetA, stridesB: stridesB, offsetB: offsetB, body)
        return
    }
    let perRow = total / shape[0]
    let rest = Array(shape.dropFirst())
    Parallel.forRange(shape[0], grain: Swift.max(1, Parallel.grain / Swift.max(perRow, 1))) { s, e in
        stridedForEach2(shape: [e - s] + rest,
                        stridesA: stridesA, offsetA: offsetA + s * stridesA[0],
                        stridesB: stridesB, offsetB: offsetB + s * stridesB[0]) { out, a, b, n, sa, sb in
            body(out + s * perRow, a, b, n, sa, sb)
        }
    }
}

extension Tensor {
    /// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims: [Int] = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 { dims.append(lead + i) }
        var r = dims.isEmpty ? self : sum(dims: dims, keepdim: true)
        if lead > 0 || r.shape != target { r = r.reshape(target) }
        return r
    }
}
