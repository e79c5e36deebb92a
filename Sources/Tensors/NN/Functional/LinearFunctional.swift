import Foundation

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
    guard checkRealParameters("linear", x, weight, bias) else { return .meta(outShape) }
    if x.isMeta { return .meta(outShape) }

    let rows = x.shape.dropLast().reduce(1, *)
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    let o = out.dataPointer
    if let b = bias {
        let bc = b.isContiguous ? b : b.contiguousCopy()
        let bp = bc.dataPointer
        for r in 0..<rows { (o + r * outF).update(from: bp, count: outF) }
        withExtendedLifetime(bc) {}
    }
    if rows > 0 && outF > 0 {
        if inF > 0 {
            linearForwardGemm(rows: rows, inF: inF, outF: outF, x: xc.dataPointer, w: wc.dataPointer,
                              hasBias: bias != nil, out: o)
        } else if bias == nil {
            o.update(repeating: 0, count: rows * outF)
        }
    }
    let xd = xc.detach(), wd = wc.detach()
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let hasBias = bias != nil
    let packed = LinearBackwardRouting.packed(rows: rows, inF: inF, outF: outF)
    var inputs = [x, weight]
    if let b = bias { inputs.append(b) }
    return out.recording("AddmmBackward0", inputs) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = gc.dataPointer
        var dx: Tensor?, dw: Tensor?, db: Tensor?
        if needX {
            let t = Tensor(uninitialized: xd.shape)
            // dx [rows, in] = g [rows, out] · W [out, in]
            if outF > 0 && packed {
                BLAS.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF, a: gp, lda: outF,
                           b: wd.dataPointer, ldb: inF, c: t.dataPointer, ldc: inF)
            } else if outF > 0 {
                SmallGemm.rowsNN(rows: rows, n: inF, k: outF, a: gp, lda: outF, b: wd.dataPointer, ldb: inF,
                                 c: t.dataPointer, ldc: inF)
            } else {
                t.dataPointer.update(repeating: 0, count: t.count)
            }
            dx = t
        }
        if needW {
            let t = Tensor(uninitialized: [outF, inF])
            // dW [out, in] = gᵀ [out, rows] · x [rows, in], with gᵀ written out: OpenBLAS runs
            // small NN products unthreaded without packing, transposed-A ones packed (and threaded).
            if rows > 0 && packed {
                BLAS.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows, a: gp, lda: outF,
                           b: xd.dataPointer, ldb: inF, c: t.dataPointer, ldc: inF)
            } else if rows > 0 {
                let gT = Workspace.acquire(rows * outF)
                Transpose.copy(gp, rows: rows, cols: outF, into: gT.pointer)
                SmallGemm.reduceNN(m: outF, n: inF, rows: rows, a: gT.pointer, lda: rows, b: xd.dataPointer, ldb: inF,
                                   c: t.dataPointer, ldc: inF)
                withExtendedLifetime(gT) {}
            } else {
                t.dataPointer.update(repeating: 0, count: t.count)
            }
            dw = t
        }
        if needB { db = columnSums(gp, rows: rows, cols: outF) }
        withExtendedLifetime(gc) {}
        return hasBias ? [dx, dw, db] : [dx, dw]
    }
}

/// Which GEMMs `linear`'s backward uses.
///
/// Products past OpenBLAS's small-matrix size go to BLAS whole (dx = g·W as
/// NN, dW = gᵀ·x as TN), packed once and split over the workers by
/// `BLAS.sgemm`. The alternative, kept for small products, cuts them into
/// blocks of a few rows to stay on the small-matrix kernels and writes gᵀ
/// out first; at rows = 2048 (a Transformer step's batch × sequence) that
/// transpose stores with an 8 KB stride (every line in one cache set) and the
/// blocks re-pack W or rewrite dW once per 15 rows: a quarter of the step on
/// one core. `WORKBENCH_LINEAR_PACKED=0` keeps the blocked path for every size
/// (to measure against).
enum LinearBackwardRouting {
    nonisolated(unsafe) static var packedEnabled: Bool = {
        ProcessInfo.processInfo.environment["WORKBENCH_LINEAR_PACKED"] != "0"
    }()

    /// Whether a `rows × inF → outF` layer's backward takes the whole-GEMM path.
    static func packed(rows: Int, inF: Int, outF: Int) -> Bool {
        packedEnabled && rows * inF * outF > SmallGemm.limit
    }
}

/// A real input with meta parameters (a model built by `withMetaInit` whose
/// weights were never loaded) is an error, not a silent meta result.
func checkRealParameters(_ op: String, _ input: Tensor, _ params: Tensor?...) -> Bool {
    if input.isMeta { return true }
    return check(!params.contains { $0?.isMeta == true }, op,
                 "parameters are meta tensors (the module was built with withMetaInit); load real weights with loadStateDict first")
}

/// out [rows, outF] (+)= x [rows, inF] · Wᵀ, where `out` already holds the bias when `hasBias`.
///
/// Kept on OpenBLAS's unthreaded small-matrix kernels where possible (see
/// `SmallGemm`): a transposed-B product only qualifies there while the output
/// is tiny, so larger batches compute outᵀ = W · xᵀ as plain NN products split
/// over the output features, with xᵀ and the final transpose costing
/// rows·(in + out) copies. Layers too big for that go straight to BLAS.
func linearForwardGemm(rows: Int, inF: Int, outF: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                       hasBias: Bool, out: UnsafeMutablePointer<Float>) {
    let beta: Float = hasBias ? 1 : 0
    let macs = rows * inF * outF
    // Direct xᵀ-free product: when OpenBLAS already takes its small path for it, or
    // when one output feature's block (rows·in) is too big for the split to help.
    let smallDirect = macs <= SmallGemm.limit && outF * rows <= 1200 && inF >= 32
    if smallDirect || rows * inF * 4 > SmallGemm.limit {
        BLAS.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF, a: x, lda: inF, b: w, ldb: inF,
                   beta: beta, c: out, ldc: outF)
        return
    }
    let xT = Workspace.acquire(inF * rows), outT = Workspace.acquire(outF * rows)
    Transpose.copy(x, rows: rows, cols: inF, into: xT.pointer)
    SmallGemm.rowsNN(rows: outF, n: rows, k: inF, a: w, lda: inF, b: xT.pointer, ldb: rows, c: outT.pointer, ldc: rows)
    Transpose.store(outT.pointer, rows: rows, cols: outF, into: out, accumulate: hasBias)
    withExtendedLifetime((xT, outT)) {}
}
