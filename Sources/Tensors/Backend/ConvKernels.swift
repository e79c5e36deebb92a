/// 2-D convolution kernels: im2col + GEMM, image by image, images split across cores.
///
/// Layout: the im2col matrix of one image is `[C·KH·KW, OH·OW]` row-major;
/// row `(c, ki, kj)` holds, for every output pixel, the input value under
/// kernel tap `(ki, kj)` of channel `c` (zero in the padding). Then
/// `Y[M, P] = W[M, K] · cols` is one GEMM per image and group writing NCHW
/// directly. Backward: `dW += dY · colsᵀ`, `dcols = Wᵀ · dY`, then col2im.
///
/// Why per image rather than one GEMM over a `[K, N·P]` batch matrix: that
/// matrix is megabytes (LeNet's conv1 at batch 128: 30 MB), so building it,
/// packing it and reading it back are memory-bound and dominate the time for
/// layers with few output channels. One image's matrix (conv1: 235 KB) stays
/// in cache from im2col to GEMM, OpenBLAS runs such sizes on its small-matrix
/// path without packing, and the batch splits cleanly across cores (each
/// worker with its own scratch from `Workspace`, partial weight gradients
/// summed at the end). Run OpenBLAS single-threaded to avoid oversubscription.
///
/// 1×1 stride-1 unpadded convolutions skip im2col: each image's `[C, H·W]`
/// plane already is its column matrix.
struct ConvGeometry: Equatable {
    var n: Int, c: Int, h: Int, w: Int
    var m: Int, kh: Int, kw: Int
    var sh: Int, sw: Int
    /// Padding on each side (bottom/right differ from top/left only for odd "same" padding).
    var padT: Int, padL: Int, padB: Int, padR: Int
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

    /// Padded input size.
    var hp: Int { h + padT + padB }
    var wp: Int { w + padL + padR }
    var isPadded: Bool { padT != 0 || padL != 0 || padB != 0 || padR != 0 }
    /// Stride-1 convolutions use "wide" columns (see `ConvKernels`).
    var isWide: Bool { sh == 1 && sw == 1 && !isPointwise }
    /// Columns of one image's im2col matrix: OH·Wp in wide mode, else OH·OW.
    var colWidth: Int { isWide ? oh * wp : oh * ow }
}

enum ConvKernels {
    /// dst[0..<n] = src[0..<n] with unaligned vector loads (rows here are
    /// short, so a `memcpy` call per row costs more than the copy).
    @inline(__always)
    static func copyRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        var i = 0
        while i + 8 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self), toByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        if i + 4 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self), toByteOffset: i &* 4, as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < n { dst[i] = src[i]; i &+= 1 }
    }

    /// dst[0..<n] += src[0..<n], vectorised like `copyRow`.
    @inline(__always)
    static func addRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        var i = 0
        while i + 8 <= n {
            let v = d.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                + s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            d.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        if i + 4 <= n {
            let v = d.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self)
                + s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self)
            d.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < n { dst[i] += src[i]; i &+= 1 }
    }

    /// Fills `cols` ([C·KH·KW, OH·OW]) from one image `x` ([C, H, W]).
    @inline(__always)
    static func im2colImage(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
        let p = g.p
        var r = 0
        for ci in 0..<g.c {
            let src = x + ci * g.h * g.w
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let dst = cols + r * p
                    r += 1
                    let xOff = kj * g.dw - g.padL
                    // Valid output columns for this tap when the stride is 1.
                    let lo = Swift.min(Swift.max(-xOff, 0), g.ow)
                    let hi = Swift.max(Swift.min(g.w - xOff, g.ow), lo)
                    for oy in 0..<g.oh {
                        let iy = oy * g.sh - g.padT + ki * g.dh
                        let drow = dst + oy * g.ow
                        if iy < 0 || iy >= g.h {
                            for ox in 0..<g.ow { drow[ox] = 0 }
                            continue
                        }
                        let srow = src + iy * g.w
                        if g.sw == 1 {
                            for ox in 0..<lo { drow[ox] = 0 }
                            copyRow(drow + lo, srow + xOff + lo, hi - lo)
                            for ox in hi..<g.ow { drow[ox] = 0 }
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

    /// dx ([C, H, W] of one image, overwritten) = col2im(cols): the adjoint of `im2colImage`.
    @inline(__always)
    static func col2imImage(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>) {
        let p = g.p, hw = g.h * g.w
        dx.update(repeating: 0, count: g.c * hw)
        var r = 0
        for ci in 0..<g.c {
            let dplane = dx + ci * hw
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let src = cols + r * p
                    r += 1
                    let xOff = kj * g.dw - g.padL
                    let lo = Swift.min(Swift.max(-xOff, 0), g.ow)
                    let hi = Swift.max(Swift.min(g.w - xOff, g.ow), lo)
                    for oy in 0..<g.oh {
                        let iy = oy * g.sh - g.padT + ki * g.dh
                        if iy < 0 || iy >= g.h { continue }
                        let srow = src + oy * g.ow
                        let drow = dplane + iy * g.w
                        if g.sw == 1 {
                            addRow(drow + xOff + lo, srow + lo, hi - lo)
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

    /// Splits `n` images into contiguous chunks, one per worker when the
    /// work (`macs` multiply-adds in total) is worth waking a second core.
    @inline(__always)
    static func forImageChunks(_ n: Int, macs: Int, _ body: (_ chunk: Int, _ lo: Int, _ hi: Int) -> Void) {
        let chunks = macs < 400_000 ? 1 : Swift.min(Parallel.workers, n)
        if chunks <= 1 {
            body(0, 0, n)
            return
        }
        let per = (n + chunks - 1) / chunks
        Parallel.forEach(chunks) { c in
            let lo = c * per, hi = Swift.min(n, lo + per)
            if lo < hi { body(c, lo, hi) }
        }
    }

    static func chunkCount(_ n: Int, macs: Int) -> Int { macs < 400_000 ? 1 : Swift.max(1, Swift.min(Parallel.workers, n)) }

    // MARK: Wide columns (stride 1)
    //
    // For a stride-1 convolution, computing every output row at the full
    // padded input width Wp (instead of OW) makes each im2col row one
    // contiguous slice of the (padded) input: row (c, ki, kj) is
    // xp[c, ki·dh ..., kj·dw ...] read straight for OH·Wp elements. So im2col
    // is KH·KW·C long copies instead of KH·KW·C·OH short ones. The extra
    // Wp − OW columns per output row are garbage and dropped when the output is
    // written (forward) or zero (backward, so they add nothing to dW and dx).

    /// Copies one image into a zero-bordered [C, Hp, Wp] buffer.
    @inline(__always)
    static func padImage(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ dst: UnsafeMutablePointer<Float>) {
        let hp = g.hp, wp = g.wp
        dst.update(repeating: 0, count: g.c * hp * wp)
        for ci in 0..<g.c {
            for y in 0..<g.h {
                copyRow(dst + (ci * hp + y + g.padT) * wp + g.padL, x + (ci * g.h + y) * g.w, g.w)
            }
        }
    }

    /// cols ([C·KH·KW, OH·Wp]) from a padded image xp ([C, Hp, Wp]).
    @inline(__always)
    static func wideIm2col(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
        let wp = g.wp, len = g.oh * wp, total = g.c * g.hp * wp
        var r = 0
        for ci in 0..<g.c {
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let off = (ci * g.hp + ki * g.dh) * wp + kj * g.dw
                    let n = Swift.min(len, total - off)
                    let dst = cols + r * len
                    copyRow(dst, xp + off, n)
                    for j in n..<len { dst[j] = 0 }
                    r += 1
                }
            }
        }
    }

    /// dxp ([C, Hp, Wp], overwritten) = adjoint of `wideIm2col` applied to dcols.
    @inline(__always)
    static func wideCol2im(_ dcols: UnsafePointer<Float>, _ g: ConvGeometry, _ dxp: UnsafeMutablePointer<Float>) {
        let wp = g.wp, len = g.oh * wp, total = g.c * g.hp * wp
        dxp.update(repeating: 0, count: total)
        var r = 0
        for ci in 0..<g.c {
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let off = (ci * g.hp + ki * g.dh) * wp + kj * g.dw
                    addRow(dxp + off, dcols + r * len, Swift.min(len, total - off))
                    r += 1
                }
            }
        }
    }

    // MARK: Forward and backward

    /// What happens to the convolution's output before it is stored.
    enum Epilogue {
        /// out = conv + bias.
        case none
        /// out = max(conv + bias, 0).
        case relu
        /// out = maxPool2d(relu(conv + bias), 2) ([N, M, OH/2, OW/2]); `indices`
        /// receives each window's argmax within the OH×OW plane, or −1 where
        /// the maximum is ≤ 0 (no gradient flows through the ReLU there).
        case reluMaxPool2(indices: UnsafeMutablePointer<Int32>)
    }

    /// How the output gradient reaches the convolution (mirrors `Epilogue`).
    enum Prologue {
        case none
        /// Zero the gradient where this forward ReLU output is 0.
        case relu(output: UnsafePointer<Float>)
        /// `gy` is the pooled gradient [N, M, OH/2, OW/2]; scatter it to the saved indices.
        case reluMaxPool2(indices: UnsafePointer<Int32>)
    }

    /// Forward: out = epilogue(conv(x, w) + bias) ([N, M, OH, OW], or pooled).
    /// Images are split across cores; each image is one im2col (kept in
    /// cache) and one GEMM per group, with bias, ReLU and pooling applied
    /// while the output is written.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ g: ConvGeometry, epilogue: Epilogue, out: UnsafeMutablePointer<Float>) {
        let p = g.p, chw = g.c * g.h * g.w
        let kTotal = g.c * g.kh * g.kw, cw = g.colWidth
        let wide = g.isWide
        let rowStride = wide ? g.wp : g.ow
        let ph = g.oh / 2, pw = g.ow / 2
        var pooled = false, relu = false
        switch epilogue {
        case .none: break
        case .relu: relu = true
        case .reluMaxPool2: pooled = true; relu = true
        }
        let outPerImage = pooled ? g.m * ph * pw : g.m * p
        forImageChunks(g.n, macs: g.n * g.m * cw * g.kg) { _, lo, hi in
            let padded = wide && g.isPadded ? Workspace.acquire(g.c * g.hp * g.wp) : nil
            let cols = g.isPointwise ? nil : Workspace.acquire(kTotal * cw)
            // GEMM output when it cannot go straight to `out`.
            let convOut = (wide || pooled) ? Workspace.acquire(g.m * cw) : nil
            for img in lo..<hi {
                let xi = x + img * chw
                let oi = out + img * outPerImage
                let b: UnsafePointer<Float>
                if let cols {
                    if wide {
                        var src = xi
                        if let padded { padImage(xi, g, padded.pointer); src = UnsafePointer(padded.pointer) }
                        wideIm2col(src, g, cols.pointer)
                    } else {
                        im2colImage(xi, g, cols.pointer)
                    }
                    b = UnsafePointer(cols.pointer)
                } else {
                    b = xi
                }
                let target = convOut?.pointer ?? oi
                for gi in 0..<g.groups {
                    BLAS.sgemm(transA: false, transB: false, m: g.mg, n: cw, k: g.kg,
                               a: weight + gi * g.mg * g.kg, lda: g.kg,
                               b: b + gi * g.kg * cw, ldb: cw,
                               c: target + gi * g.mg * cw, ldc: cw)
                }
                if case .reluMaxPool2(let indices) = epilogue, let convOut {
                    let ix = indices + img * outPerImage
                    for ch in 0..<g.m {
                        let src = UnsafePointer(convOut.pointer + ch * cw)
                        maxPool2Rows(src, rowStride: rowStride, ow: g.ow, ph: ph, pw: pw, bias: bias?[ch] ?? 0,
                                     out: oi + ch * ph * pw, indices: ix + ch * ph * pw)
                    }
                } else if let convOut {
                    // Keep the first OW of every Wp columns, adding bias and ReLU.
                    for ch in 0..<g.m {
                        let bv = bias?[ch] ?? 0
                        for oy in 0..<g.oh {
                            let s = convOut.pointer + ch * cw + oy * rowStride, d = oi + ch * p + oy * g.ow
                            if relu {
                                for i in 0..<g.ow { let v = s[i] + bv; d[i] = v > 0 ? v : 0 }
                            } else {
                                for i in 0..<g.ow { d[i] = s[i] + bv }
                            }
                        }
                    }
                } else if bias != nil || relu {
                    for ch in 0..<g.m {
                        let d = oi + ch * p
                        let bv = bias?[ch] ?? 0
                        if relu {
                            for i in 0..<p { let v = d[i] + bv; d[i] = v > 0 ? v : 0 }
                        } else {
                            for i in 0..<p { d[i] += bv }
                        }
                    }
                }
            }
            withExtendedLifetime((padded, cols, convOut)) {}
        }
    }

    /// 2×2 stride-2 max-pool of one channel's conv output (rows `rowStride`
    /// apart, the first `ow` valid) plus `bias`, then ReLU. Ties keep the first
    /// maximum in row-major order, as PyTorch's max_pool2d does; indices are
    /// positions in the OH×OW plane, −1 where the ReLU output is 0.
    @inline(__always)
    static func maxPool2Rows(_ src: UnsafePointer<Float>, rowStride: Int, ow: Int, ph: Int, pw: Int, bias: Float,
                             out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        for py in 0..<ph {
            let r0 = src + 2 * py * rowStride, r1 = r0 + rowStride
            let base = 2 * py * ow
            for px in 0..<pw {
                let c = 2 * px
                var best = r0[c], bi = base + c
                if r0[c + 1] > best { best = r0[c + 1]; bi = base + c + 1 }
                if r1[c] > best { best = r1[c]; bi = base + ow + c }
                if r1[c + 1] > best { best = r1[c + 1]; bi = base + ow + c + 1 }
                let v = best + bias
                out[py * pw + px] = v > 0 ? v : 0
                indices[py * pw + px] = v > 0 ? Int32(bi) : -1
            }
        }
    }

    /// Backward. `gy` is the output gradient ([N, M, OH, OW], or pooled for
    /// `.reluMaxPool2`). Writes whichever of `dx` ([N, C, H, W]), `dw`
    /// ([M, C/g, KH, KW]), `db` ([M]) are non-nil (all overwritten). The
    /// im2col matrix of each image is recomputed (cheap, and it stays in cache).
    static func backward(gy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         prologue: Prologue, _ g: ConvGeometry,
                         dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                         db: UnsafeMutablePointer<Float>?) {
        let p = g.p, chw = g.c * g.h * g.w
        let kTotal = g.c * g.kh * g.kw, cw = g.colWidth
        let wide = g.isWide
        let rowStride = wide ? g.wp : g.ow
        let ph = g.oh / 2, pw = g.ow / 2
        var gyPerImage = g.m * p
        var plain = true
        switch prologue {
        case .none: plain = !wide
        case .relu: plain = false
        case .reluMaxPool2: plain = false; gyPerImage = g.m * ph * pw
        }
        let wCount = g.m * g.kg
        let macs = g.n * g.m * cw * g.kg * ((dx != nil ? 1 : 0) + (dw != nil ? 1 : 0))
        let chunks = chunkCount(g.n, macs: macs)
        // Chunk 0 accumulates into dw/db directly, the others into partials summed at the end.
        let partialW = (dw != nil && chunks > 1) ? Workspace.acquire((chunks - 1) * wCount) : nil
        let partialB = (db != nil && chunks > 1) ? Workspace.acquire((chunks - 1) * g.m) : nil
        forImageChunks(g.n, macs: macs) { c, lo, hi in
            let myW = dw.map { c == 0 ? $0 : (partialW?.pointer ?? $0) + (c - 1) * wCount }
            let myB = db.map { c == 0 ? $0 : (partialB?.pointer ?? $0) + (c - 1) * g.m }
            if let myB { myB.update(repeating: 0, count: g.m) }
            let padded = wide && g.isPadded ? Workspace.acquire(g.c * g.hp * g.wp) : nil
            let cols = (dw != nil && !g.isPointwise) ? Workspace.acquire(kTotal * cw) : nil
            let dcols = (dx != nil && !g.isPointwise) ? Workspace.acquire(kTotal * cw) : nil
            // The output gradient in GEMM layout [M, cw] unless gy can be used as is.
            let gyBuf = plain ? nil : Workspace.acquire(g.m * cw)
            for img in lo..<hi {
                var gyi = gy + img * gyPerImage
                if let gyBuf {
                    let gb = gyBuf.pointer
                    switch prologue {
                    case .reluMaxPool2(let indices):
                        gb.update(repeating: 0, count: g.m * cw)
                        let ix = indices + img * gyPerImage
                        for ch in 0..<g.m {
                            let d = gb + ch * cw, s = gyi + ch * ph * pw, ic = ix + ch * ph * pw
                            for k in 0..<(ph * pw) where ic[k] >= 0 {
                                let pos = Int(ic[k]), oy = pos / g.ow
                                d[oy * rowStride + pos - oy * g.ow] = s[k]
                            }
                        }
                    case .relu(let y):
                        let yi = y + img * g.m * p
                        for ch in 0..<g.m {
                            for oy in 0..<g.oh {
                                let d = gb + ch * cw + oy * rowStride, s = gyi + ch * p + oy * g.ow
                                let yr = yi + ch * p + oy * g.ow
                                for i in 0..<g.ow { d[i] = yr[i] > 0 ? s[i] : 0 }
                                for i in g.ow..<rowStride { d[i] = 0 }
                            }
                        }
                    case .none:
                        for ch in 0..<g.m {
                            for oy in 0..<g.oh {
                                let d = gb + ch * cw + oy * rowStride
                                copyRow(d, gyi + ch * p + oy * g.ow, g.ow)
                                for i in g.ow..<rowStride { d[i] = 0 }
                            }
                        }
                    }
                    gyi = UnsafePointer(gb)
                }
                if let myB {
                    // Garbage columns of the wide layout are zero, so summing whole rows is exact.
                    for ch in 0..<g.m { myB[ch] += sumRow(gyi + ch * cw, cw) }
                }
                let xi = x + img * chw
                if let myW {
                    let b: UnsafePointer<Float>
                    if let cols {
                        if wide {
                            var src = xi
                            if let padded { padImage(xi, g, padded.pointer); src = UnsafePointer(padded.pointer) }
                            wideIm2col(src, g, cols.pointer)
                        } else {
                            im2colImage(xi, g, cols.pointer)
                        }
                        b = UnsafePointer(cols.pointer)
                    } else {
                        b = xi
                    }
                    // dW_g (Mg×Kg) += gY_g (Mg×P) · colsᵀ (P×Kg)
                    for gi in 0..<g.groups {
                        BLAS.sgemm(transA: false, transB: true, m: g.mg, n: g.kg, k: cw,
                                   a: gyi + gi * g.mg * cw, lda: cw, b: b + gi * g.kg * cw, ldb: cw,
                                   beta: img == lo ? 0 : 1, c: myW + gi * g.mg * g.kg, ldc: g.kg)
                    }
                }
                if let dx {
                    let dxi = dx + img * chw
                    // dcols_g (Kg×P) = W_gᵀ (Kg×Mg) · gY_g (Mg×P); pointwise convs write dx directly.
                    let target = dcols?.pointer ?? dxi
                    for gi in 0..<g.groups {
                        BLAS.sgemm(transA: true, transB: false, m: g.kg, n: cw, k: g.mg,
                                   a: weight + gi * g.mg * g.kg, lda: g.kg, b: gyi + gi * g.mg * cw, ldb: cw,
                                   c: target + gi * g.kg * cw, ldc: cw)
                    }
                    if let dcols {
                        if wide {
                            if let padded {
                                wideCol2im(dcols.pointer, g, padded.pointer)
                                for ci in 0..<g.c {
                                    for y in 0..<g.h {
                                        copyRow(dxi + (ci * g.h + y) * g.w,
                                                padded.pointer + (ci * g.hp + y + g.padT) * g.wp + g.padL, g.w)
                                    }
                                }
                            } else {
                                wideCol2im(dcols.pointer, g, dxi)
                            }
                        } else {
                            col2imImage(dcols.pointer, g, dxi)
                        }
                    }
                }
            }
            withExtendedLifetime((padded, cols, dcols, gyBuf)) {}
        }
        if chunks > 1 {
            if let dw, let partialW {
                for c in 1..<chunks { addRow(dw, partialW.pointer + (c - 1) * wCount, wCount) }
            }
            if let db, let partialB {
                for c in 1..<chunks { addRow(db, partialB.pointer + (c - 1) * g.m, g.m) }
            }
        }
        withExtendedLifetime((partialW, partialB)) {}
    }

    /// Σ src[0..<n] with vector partial sums.
    @inline(__always)
    static func sumRow(_ src: UnsafePointer<Float>, _ n: Int) -> Float {
        let s = UnsafeRawPointer(src)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc += s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        var total = acc.sum()
        while i < n { total += src[i]; i &+= 1 }
        return total
    }
}
