/// 2-D convolution kernels: im2col + one `sgemm` per group over the whole batch.
///
/// Layout: the im2col matrix `cols` is `[C·KH·KW, N·OH·OW]` row-major; row
/// `(c, ki, kj)` holds, for every image and output pixel, the input value under
/// kernel tap `(ki, kj)` of channel `c` (zero in the padding). Then
/// `Y[M, N·P] = W[M, K] · cols` is one large GEMM for the batch, and a cheap
/// transposing copy (with the bias fused in) writes NCHW. Backward reuses the
/// same matrix: `dW = dY · colsᵀ`, `dcols = Wᵀ · dY`, then col2im.
///
/// 1×1 stride-1 unpadded convolutions skip im2col: each image's `[C, H·W]`
/// plane already is its column matrix.
struct ConvGeometry: Equatable {
    var n: Int, c: Int, h: Int, w: Int
    var m: Int, kh: Int, kw: Int
    var sh: Int, sw: Int
    /// Padding on top and left (bottom/right follow from the output size).
    var padT: Int, padL: Int
    var dh: Int, dw: Int
    var groups: Int
    var oh: Int, ow: Int

    /// Spatial output size.
    var p: Int { oh * ow }
    /// Input channels per group.
    var cg: Int { c / groups }
    /// Output channels per group.
    var mg: Int { m / groups }
    /// Rows of the im2col matrix per group.
    var kg: Int { cg * kh * kw }
    /// Columns of the im2col matrix.
    var np: Int { n * oh * ow }

    var isPointwise: Bool {
        kh == 1 && kw == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0 && oh == h && ow == w
    }
}

enum ConvKernels {
    /// Fills `cols` ([C·KH·KW, N·P]) from `x` ([N, C, H, W]).
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
        let rows = g.c * g.kh * g.kw
        let np = g.np, p = g.p
        let khw = g.kh * g.kw
        Parallel.forRange(rows, grain: Swift.max(1, 16384 / Swift.max(np, 1))) { start, end in
            for r in start..<end {
                let ci = r / khw, rem = r - ci * khw
                let ki = rem / g.kw, kj = rem - ki * g.kw
                let dst = cols + r * np
                let xOff = kj * g.dw - g.padL
                // Valid output columns for this tap when the stride is 1.
                let lo = Swift.min(Swift.max(-xOff, 0), g.ow)
                let hi = Swift.max(Swift.min(g.w - xOff, g.ow), lo)
                for img in 0..<g.n {
                    let src = x + (img * g.c + ci) * g.h * g.w
                    let d = dst + img * p
                    for oy in 0..<g.oh {
                        let iy = oy * g.sh - g.padT + ki * g.dh
                        let drow = d + oy * g.ow
                        if iy < 0 || iy >= g.h {
                            drow.update(repeating: 0, count: g.ow)
                            continue
                        }
                        let srow = src + iy * g.w
                        if g.sw == 1 {
                            if lo > 0 { drow.update(repeating: 0, count: lo) }
                            if hi > lo { (drow + lo).update(from: srow + lo + xOff, count: hi - lo) }
                            if hi < g.ow { (drow + hi).update(repeating: 0, count: g.ow - hi) }
                        } else {
                            for ox in 0..<g.ow {
                                let ix = ox * g.sw + xOff
                                drow[ox] = (ix >= 0 && ix < g.w) ? srow[ix] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx ([N, C, H, W], overwritten) = col2im(dcols): the adjoint of `im2col`.
    static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>) {
        let np = g.np, p = g.p, hw = g.h * g.w
        let planes = g.n * g.c
        Parallel.forRange(planes, grain: Swift.max(1, 8192 / Swift.max(hw * g.kh * g.kw, 1))) { start, end in
            for plane in start..<end {
                let img = plane / g.c, ci = plane - img * g.c
                let dplane = dx + plane * hw
                dplane.update(repeating: 0, count: hw)
                for ki in 0..<g.kh {
                    for kj in 0..<g.kw {
                        let r = (ci * g.kh + ki) * g.kw + kj
                        let src = cols + r * np + img * p
                        let xOff = kj * g.dw - g.padL
                        let lo = Swift.min(Swift.max(-xOff, 0), g.ow)
                        let hi = Swift.max(Swift.min(g.w - xOff, g.ow), lo)
                        for oy in 0..<g.oh {
                            let iy = oy * g.sh - g.padT + ki * g.dh
                            if iy < 0 || iy >= g.h { continue }
                            let srow = src + oy * g.ow
                            let drow = dplane + iy * g.w
                            if g.sw == 1 {
                                let dd = drow + xOff
                                for ox in lo..<hi { dd[ox] += srow[ox] }
                            } else {
                                for ox in 0..<g.ow {
                                    let ix = ox * g.sw + xOff
                                    if ix >= 0 && ix < g.w { drow[ix] += srow[ox] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// out[n, m, :] = src[m, n·P + :] + bias[m], optionally clamped at 0 (fused ReLU).
    static func scatterColumns(_ src: UnsafePointer<Float>, _ g: ConvGeometry, bias: UnsafePointer<Float>?,
                               relu: Bool, _ out: UnsafeMutablePointer<Float>) {
        let p = g.p, np = g.np
        Parallel.forRange(g.n * g.m, grain: Swift.max(1, 16384 / Swift.max(p, 1))) { start, end in
            for row in start..<end {
                let img = row / g.m, ch = row - img * g.m
                let s = src + ch * np + img * p
                let d = out + row * p
                let b = bias?[ch] ?? 0
                if relu {
                    for i in 0..<p { let v = s[i] + b; d[i] = v > 0 ? v : 0 }
                } else {
                    for i in 0..<p { d[i] = s[i] + b }
                }
            }
        }
    }

    /// dst[m, n·P + :] = src[n, m, :] (NCHW gradient to the GEMM layout).
    static func gatherColumns(_ src: UnsafePointer<Float>, _ g: ConvGeometry, _ dst: UnsafeMutablePointer<Float>) {
        let p = g.p, np = g.np
        Parallel.forRange(g.n * g.m, grain: Swift.max(1, 16384 / Swift.max(p, 1))) { start, end in
            for row in start..<end {
                let img = row / g.m, ch = row - img * g.m
                (dst + ch * np + img * p).update(from: src + row * p, count: p)
            }
        }
    }

    /// Forward: out ([N, M, OH, OW]) = conv(x, w) + bias. Returns the im2col
    /// matrix when it should be kept for backward (nil for pointwise convs or
    /// when `keepColumns` is false).
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ g: ConvGeometry, relu: Bool, keepColumns: Bool,
                        out: UnsafeMutablePointer<Float>) -> ScratchBuffer? {
        if g.isPointwise {
            // out[n] (M×P) = W (M×C) · x[n] (C×P), per group.
            let p = g.p
            for img in 0..<g.n {
                for gi in 0..<g.groups {
                    BLAS.sgemm(transA: false, transB: false, m: g.mg, n: p, k: g.cg,
                               a: weight + gi * g.mg * g.cg, lda: g.cg,
                               b: x + (img * g.c + gi * g.cg) * p, ldb: p,
                               c: out + (img * g.m + gi * g.mg) * p, ldc: p)
                }
            }
            if bias != nil || relu { addBiasInPlace(out, g, bias: bias, relu: relu) }
            return nil
        }
        let np = g.np
        let cols = Workspace.acquire(g.c * g.kh * g.kw * np)
        im2col(x, g, cols.pointer)
        let tmp = Workspace.acquire(g.m * np)
        for gi in 0..<g.groups {
            BLAS.sgemm(transA: false, transB: false, m: g.mg, n: np, k: g.kg,
                       a: weight + gi * g.mg * g.kg, lda: g.kg,
                       b: cols.pointer + gi * g.kg * np, ldb: np,
                       c: tmp.pointer + gi * g.mg * np, ldc: np)
        }
        scatterColumns(tmp.pointer, g, bias: bias, relu: relu, out)
        return keepColumns ? cols : nil
    }

    /// out[n, m, :] += bias[m] (and ReLU), in place on NCHW.
    static func addBiasInPlace(_ out: UnsafeMutablePointer<Float>, _ g: ConvGeometry, bias: UnsafePointer<Float>?, relu: Bool) {
        let p = g.p
        Parallel.forRange(g.n * g.m, grain: Swift.max(1, 16384 / Swift.max(p, 1))) { start, end in
            for row in start..<end {
                let b = bias?[row % g.m] ?? 0
                let d = out + row * p
                if relu {
                    for i in 0..<p { let v = d[i] + b; d[i] = v > 0 ? v : 0 }
                } else {
                    for i in 0..<p { d[i] += b }
                }
            }
        }
    }

    /// Backward. `gy` is the output gradient [N, M, OH, OW]; `cols` the
    /// forward's im2col matrix if kept (recomputed from `x` otherwise).
    /// Writes whichever of `dx` ([N, C, H, W]), `dw` ([M, C/g, KH, KW]),
    /// `db` ([M]) are non-nil (all overwritten).
    static func backward(gy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         cols savedCols: ScratchBuffer?, _ g: ConvGeometry,
                         dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                         db: UnsafeMutablePointer<Float>?) {
        let p = g.p, np = g.np
        if let db {
            for ch in 0..<g.m { db[ch] = 0 }
            for img in 0..<g.n {
                for ch in 0..<g.m {
                    let s = gy + (img * g.m + ch) * p
                    var acc: Float = 0
                    for i in 0..<p { acc += s[i] }
                    db[ch] += acc
                }
            }
        }
        if g.isPointwise {
            for img in 0..<g.n {
                for gi in 0..<g.groups {
                    let gyi = gy + (img * g.m + gi * g.mg) * p
                    let xi = x + (img * g.c + gi * g.cg) * p
                    if let dw {
                        // dW_g (Mg×Cg) += gY[n] (Mg×P) · x[n]ᵀ (P×Cg)
                        BLAS.sgemm(transA: false, transB: true, m: g.mg, n: g.cg, k: p,
                                   a: gyi, lda: p, b: xi, ldb: p,
                                   beta: img == 0 ? 0 : 1, c: dw + gi * g.mg * g.cg, ldc: g.cg)
                    }
                    if let dx {
                        // dx[n] (Cg×P) = W_gᵀ (Cg×Mg) · gY[n] (Mg×P)
                        BLAS.sgemm(transA: true, transB: false, m: g.cg, n: p, k: g.mg,
                                   a: weight + gi * g.mg * g.cg, lda: g.cg, b: gyi, ldb: p,
                                   c: dx + (img * g.c + gi * g.cg) * p, ldc: p)
                    }
                }
            }
            return
        }
        let gt = Workspace.acquire(g.m * np)
        gatherColumns(gy, g, gt.pointer)
        if let dw {
            let cols: ScratchBuffer
            if let savedCols { cols = savedCols } else {
                cols = Workspace.acquire(g.c * g.kh * g.kw * np)
                im2col(x, g, cols.pointer)
            }
            for gi in 0..<g.groups {
                BLAS.sgemm(transA: false, transB: true, m: g.mg, n: g.kg, k: np,
                           a: gt.pointer + gi * g.mg * np, lda: np,
                           b: cols.pointer + gi * g.kg * np, ldb: np,
                           c: dw + gi * g.mg * g.kg, ldc: g.kg)
            }
        }
        if let dx {
            let dcols = Workspace.acquire(g.c * g.kh * g.kw * np)
            for gi in 0..<g.groups {
                BLAS.sgemm(transA: true, transB: false, m: g.kg, n: np, k: g.mg,
                           a: weight + gi * g.mg * g.kg, lda: g.kg,
                           b: gt.pointer + gi * g.mg * np, ldb: np,
                           c: dcols.pointer + gi * g.kg * np, ldc: np)
            }
            col2im(dcols.pointer, g, dx)
        }
    }
}
