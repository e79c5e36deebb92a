/// y = x·Wᵀ + b, like `F.linear` (weight is [out, in], x is [*, in]).
///
/// A primitive rather than `matmul` + `add`: the bias is written into the
/// output before one `sgemm` accumulates onto it, and backward is two GEMMs
/// plus a column sum, with one graph node instead of three.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let inF = x.rank >= 1 ? x.shape[x.rank - 1] : 1
    guard check(weight.rank == 2, "linear", "weight must be 2-D [out_features, in_features], got shape \(weight.shape)"),
          check(x.rank >= 1, "linear", "input must have at least 1 dimension, got a 0-dim tensor") else {
        return .meta([1])
    }
    let outF = weight.shape[0]
    let outShape = Array(x.shape.dropLast()) + [outF]
    guard check(inF == weight.shape[1], "linear",
                "mat1 and mat2 shapes cannot be multiplied (input \(x.shape) has \(inF) features, weight \(weight.shape) expects \(weight.shape[1]))")
    else { return .meta(outShape) }
    if let b = bias {
        guard check(b.shape == [outF], "linear", "bias must have shape [\(outF)], got \(b.shape)") else { return .meta(outShape) }
    }
    if x.isMeta || weight.isMeta || bias?.isMeta == true { return .meta(outShape) }

    let rows = x.count / Swift.max(inF, 1)
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    let o = out.dataPointer
    var beta: Float = 0
    if let b = bias {
        let bc = b.isContiguous ? b : b.contiguousCopy()
        let bp = bc.dataPointer
        for r in 0..<rows { (o + r * outF).update(from: bp, count: outF) }
        withExtendedLifetime(bc) {}
        beta = 1
    }
    if rows > 0 && outF > 0 {
        if inF > 0 {
            BLAS.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF,
                       a: xc.dataPointer, lda: inF, b: wc.dataPointer, ldb: inF,
                       beta: beta, c: o, ldc: outF)
        } else if bias == nil {
            o.update(repeating: 0, count: rows * outF)
        }
    }
    let xd = xc.detach(), wd = wc.detach()
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let hasBias = bias != nil
    var inputs = [x, weight]
    if let b = bias { inputs.append(b) }
    return out.recording("AddmmBackward0", inputs) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = gc.dataPointer
        var dx: Tensor?, dw: Tensor?, db: Tensor?
        if needX {
            let t = Tensor(uninitialized: xd.shape)
            // dx [rows, in] = g [rows, out] · W [out, in]
            if outF > 0 {
                BLAS.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF,
                           a: gp, lda: outF, b: wd.dataPointer, ldb: inF, c: t.dataPointer, ldc: inF)
            } else {
                t.dataPointer.update(repeating: 0, count: t.count)
            }
            dx = t
        }
        if needW {
            let t = Tensor(uninitialized: [outF, inF])
            // dW [out, in] = gᵀ [out, rows] · x [rows, in]
            if rows > 0 {
                BLAS.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows,
                           a: gp, lda: outF, b: xd.dataPointer, ldb: inF, c: t.dataPointer, ldc: inF)
            } else {
                t.dataPointer.update(repeating: 0, count: t.count)
            }
            dw = t
        }
        if needB {
            let t = Tensor.zeros([outF])
            let tp = t.dataPointer
            for r in 0..<rows {
                let row = gp + r * outF
                for j in 0..<outF { tp[j] += row[j] }
            }
            db = t
        }
        withExtendedLifetime(gc) {}
        return hasBias ? [dx, dw, db] : [dx, dw]
    }
}
