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
    /// Output rows per band in wide mode: the im2col matrix of a band stays
    /// under about 1M floats (VGG16's 224×224 layers would need 117 MB per image).
    var bandRows: Int {
        isWide ? Swift.max(1, Swift.min(oh, ConvKernels.bandFloats / Swift.max(c * kh * kw * wp, 1))) : oh
    }
}

enum ConvKernels {
    /// Upper bound of one band's im2col matrix in floats (tests lower it to exercise banding).
    nonisolated(unsafe) static var bandFloats = 1 << 20

    /// dst[0..<n] = src[0..<n]: short rows with unaligned vector loads (a
    /// `memcpy` call per row would cost more than the copy), long ones with memmove.
    @inline(__always)
    static func copyRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        if n >= 64 {
            // Long rows: libc's memmove uses the widest vectors the CPU has.
            dst.update(from: src, count: n)
            return
        }
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

    /// Fills `cols` ([C·KH·KW, OH·OW], rows `ld` floats apart) from one image `x` ([C, H, W]).
    @inline(__always)
    static func im2colImage(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>,
                            ld: Int? = nil) {
        let p = ld ?? g.p
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
    static func col2imImage(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>,
                            ld: Int? = nil) {
        let p = ld ?? g.p, hw = g.h * g.w
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
        let chunks = chunkCount(n, macs: macs)
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

    /// One chunk for small work; also one when OpenBLAS itself runs threaded
    /// and each image's GEMM is big enough for it to use them (two levels of
    /// threads would oversubscribe the cores).
    static func chunkCount(_ n: Int, macs: Int) -> Int {
        if macs < 400_000 || n <= 1 { return 1 }
        if BLAS.threads > 1 && macs / n >= 4_000_000 { return 1 }
        return Swift.min(Parallel.workers, n)
    }

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

    /// cols ([C·KH·KW, (oy1 − oy0)·Wp]) for output rows oy0..<oy1 from a padded image xp ([C, Hp, Wp]).
    @inline(__always)
    static func wideIm2col(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, rows oy0: Int, _ oy1: Int,
                           _ cols: UnsafeMutablePointer<Float>) {
        let wp = g.wp, len = (oy1 - oy0) * wp, total = g.c * g.hp * wp
        var r = 0
        for ci in 0..<g.c {
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let off = (ci * g.hp + ki * g.dh + oy0) * wp + kj * g.dw
                    let n = Swift.max(0, Swift.min(len, total - off))
                    let dst = cols + r * len
                    copyRow(dst, xp + off, n)
                    for j in n..<len { dst[j] = 0 }
                    r += 1
                }
            }
        }
    }

    /// dxp ([C, Hp, Wp]) += adjoint of `wideIm2col` (rows oy0..<oy1) applied to dcols.
    @inline(__always)
    static func wideCol2imAdd(_ dcols: UnsafePointer<Float>, _ g: ConvGeometry, rows oy0: Int, _ oy1: Int,
                              _ dxp: UnsafeMutablePointer<Float>) {
        let wp = g.wp, len = (oy1 - oy0) * wp, total = g.c * g.hp * wp
        var r = 0
        for ci in 0..<g.c {
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let off = (ci * g.hp + ki * g.dh + oy0) * wp + kj * g.dw
                    addRow(dxp + off, dcols + r * len, Swift.max(0, Swift.min(len, total - off)))
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
        /// out = (conv + bias)·scale[ch] + shift[ch], then ReLU if `relu`: an
        /// inference-mode batch norm (and ReLU) folded into the output pass.
        case scaleShift(scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, relu: Bool)

        /// d[0..<n] = epilogue(s[0..<n] + bias) for output channel `ch` (`s` may be `d`);
        /// the pooling of `.reluMaxPool2` is not done here, only its ReLU.
        @inline(__always)
        func store(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int, channel ch: Int, bias bv: Float) {
            switch self {
            case .none:
                for i in 0..<n { d[i] = s[i] + bv }
            case .relu, .reluMaxPool2:
                for i in 0..<n { let v = s[i] + bv; d[i] = v > 0 || v.isNaN ? v : 0 }
            case .scaleShift(let scale, let shift, let relu):
                // The same operations, in the same order, as conv2d then batchNorm then relu.
                let a = scale[ch], b = shift[ch]
                if relu {
                    for i in 0..<n { let v = (s[i] + bv) * a + b; d[i] = v > 0 || v.isNaN ? v : 0 }
                } else {
                    for i in 0..<n { d[i] = (s[i] + bv) * a + b }
                }
            }
        }
    }

    /// How the output gradient reaches the convolution (mirrors `Epilogue`).
    enum Prologue {
        case none
        /// Zero the gradient where this forward ReLU output is 0.
        case relu(output: UnsafePointer<Float>)
        /// `gy` is the pooled gradient [N, M, OH/2, OW/2]; scatter it to the saved indices.
        case reluMaxPool2(indices: UnsafePointer<Int32>)

        /// One dense OH×OW plane `d` of the unpooled gradient: zeros, then each of the `pooled`
        /// window gradients `s` at its saved argmax `ix` (−1: the ReLU stopped it).
        @inline(__always)
        static func unpool(_ s: UnsafePointer<Float>, indices ix: UnsafePointer<Int32>, _ pooled: Int,
                           into d: UnsafeMutablePointer<Float>, plane p: Int) {
            d.update(repeating: 0, count: p)
            for k in 0..<pooled where ix[k] >= 0 { d[Int(ix[k])] = s[k] }
        }
    }

    /// Forward: out = epilogue(conv(x, w) + bias) ([N, M, OH, OW], or pooled).
    /// Images are split across cores; each image is one im2col (kept in
    /// cache) and one GEMM per group, with bias, ReLU and pooling applied
    /// while the output is written.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ g: ConvGeometry, epilogue: Epilogue, out: UnsafeMutablePointer<Float>) {
        if WinogradKernels.applies(g) {
            WinogradKernels.forward(x: x, weight: weight, bias: bias, g, epilogue: epilogue, out: out)
            return
        }
        let p = g.p, chw = g.c * g.h * g.w
        let kTotal = g.c * g.kh * g.kw, cw = g.colWidth
        let wide = g.isWide
        let rowStride = wide ? g.wp : g.ow
        let ph = g.oh / 2, pw = g.ow / 2
        var pooled = false
        if case .reluMaxPool2 = epilogue { pooled = true }
        var isPlain = false
        if case .none = epilogue { isPlain = true }
        let outPerImage = pooled ? g.m * ph * pw : g.m * p
        let nb = imagesPerGemm(g, chunkImages: chunkImages(g.n, macs: g.n * g.m * g.p * g.kg))
        if nb > 1 {
            forwardImageBlocks(x: x, weight: weight, bias: bias, g, epilogue: epilogue, out: out, imagesPerGemm: nb)
            return
        }
        forImageChunks(g.n, macs: g.n * g.m * cw * g.kg) { _, lo, hi in
            let padded = wide && g.isPadded ? Workspace.acquire(g.c * g.hp * g.wp) : nil
            let band = g.bandRows
            let cols = g.isPointwise ? nil : Workspace.acquire(kTotal * (wide ? band * g.wp : cw))
            // GEMM output when it cannot go straight to `out`.
            let convOut = (wide || pooled) ? Workspace.acquire(g.m * cw) : nil
            for img in lo..<hi {
                let xi = x + img * chw
                let oi = out + img * outPerImage
                let target = convOut?.pointer ?? oi
                if wide, let cols {
                    var src = xi
                    if let padded { padImage(xi, g, padded.pointer); src = UnsafePointer(padded.pointer) }
                    var oy0 = 0
                    while oy0 < g.oh {
                        let oy1 = Swift.min(g.oh, oy0 + band), bw = (oy1 - oy0) * g.wp
                        wideIm2col(src, g, rows: oy0, oy1, cols.pointer)
                        for gi in 0..<g.groups {
                            BLAS.sgemm(transA: false, transB: false, m: g.mg, n: bw, k: g.kg,
                                       a: weight + gi * g.mg * g.kg, lda: g.kg,
                                       b: cols.pointer + gi * g.kg * bw, ldb: bw,
                                       c: target + gi * g.mg * cw + oy0 * g.wp, ldc: cw)
                        }
                        oy0 = oy1
                    }
                } else {
                    let b: UnsafePointer<Float>
                    if let cols {
                        im2colImage(xi, g, cols.pointer)
                        b = UnsafePointer(cols.pointer)
                    } else {
                        b = xi
                    }
                    for gi in 0..<g.groups {
                        BLAS.sgemm(transA: false, transB: false, m: g.mg, n: cw, k: g.kg,
                                   a: weight + gi * g.mg * g.kg, lda: g.kg,
                                   b: b + gi * g.kg * cw, ldb: cw,
                                   c: target + gi * g.mg * cw, ldc: cw)
                    }
                }
                if case .reluMaxPool2(let indices) = epilogue, let convOut {
                    let ix = indices + img * outPerImage
                    for ch in 0..<g.m {
                        let src = UnsafePointer(convOut.pointer + ch * cw)
                        PoolKernels.max2x2Rows(src, rowStride: rowStride, rowLength: g.ow, ph: ph, pw: pw,
                                               bias: bias?[ch] ?? 0, relu: true,
                                               out: oi + ch * ph * pw, indices: ix + ch * ph * pw)
                    }
                } else if let convOut {
                    // Keep the first OW of every Wp columns, applying bias and the epilogue.
                    for ch in 0..<g.m {
                        let bv = bias?[ch] ?? 0
                        for oy in 0..<g.oh {
                            epilogue.store(oi + ch * p + oy * g.ow, convOut.pointer + ch * cw + oy * rowStride, g.ow,
                                           channel: ch, bias: bv)
                        }
                    }
                } else if bias != nil || !isPlain {
                    for ch in 0..<g.m {
                        let d = oi + ch * p
                        epilogue.store(d, d, p, channel: ch, bias: bias?[ch] ?? 0)
                    }
                }
            }
            withExtendedLifetime((padded, cols, convOut)) {}
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
        if let dx, WinogradKernels.applies(g) {
            // dX as a Winograd convolution; dW and db stay on the im2col path below.
            WinogradKernels.backwardInput(gy: gy, prologue: prologue, weight: weight, g, dx: dx)
            if dw != nil || db != nil { backward(gy: gy, x: x, weight: weight, prologue: prologue, g, dx: nil, dw: dw, db: db) }
            return
        }
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
        let passes = (dx != nil ? 1 : 0) + (dw != nil ? 1 : 0)
        let nb = imagesPerGemm(g, chunkImages: chunkImages(g.n, macs: g.n * g.m * g.p * g.kg * passes))
        if nb > 1 {
            backwardImageBlocks(gy: gy, x: x, weight: weight, prologue: prologue, g, dx: dx, dw: dw, db: db,
                                imagesPerGemm: nb)
            return
        }
        let macs = g.n * g.m * cw * g.kg * passes
        let chunks = chunkCount(g.n, macs: macs)
        // Chunk 0 accumulates into dw/db directly, the others into partials summed at the end.
        // Wide convolutions accumulate dWᵀ ([Kg, Mg] per group) with NN products (see below),
        // every chunk in its own partial, summed and transposed into dw at the end.
        let transposedW = wide && !g.isPointwise
        let partialW: ScratchBuffer?
        if dw == nil {
            partialW = nil
        } else if transposedW {
            partialW = Workspace.acquire(chunks * wCount)
        } else {
            partialW = chunks > 1 ? Workspace.acquire((chunks - 1) * wCount) : nil
        }
        let partialB = (db != nil && chunks > 1) ? Workspace.acquire((chunks - 1) * g.m) : nil
        // Wᵀ per group ([Kg, Mg]), so dcols = Wᵀ · gY is a plain NN product: OpenBLAS runs
        // NN products of these sizes on its unthreaded small-matrix path, while a
        // transposed-A call would take the packed (and, with BLAS threads, threaded) path.
        let weightT = dx != nil ? transposedWeight(weight, g) : nil
        let wT = UnsafePointer(weightT?.pointer ?? UnsafeMutablePointer(mutating: weight))
        forImageChunks(g.n, macs: macs) { c, lo, hi in
            let myW = dw.map { d -> UnsafeMutablePointer<Float> in
                if transposedW { return (partialW?.pointer ?? d) + c * wCount }
                return c == 0 ? d : (partialW?.pointer ?? d) + (c - 1) * wCount
            }
            // gY of one band transposed to [bw, Mg] for the dWᵀ product.
            let gyT = (dw != nil && transposedW) ? Workspace.acquire(g.bandRows * g.wp * g.mg) : nil
            let myB = db.map { c == 0 ? $0 : (partialB?.pointer ?? $0) + (c - 1) * g.m }
            if let myB { myB.update(repeating: 0, count: g.m) }
            let padded = wide && g.isPadded ? Workspace.acquire(g.c * g.hp * g.wp) : nil
            let band = g.bandRows
            let colCount = kTotal * (wide ? band * g.wp : cw)
            let cols = (dw != nil && !g.isPointwise) ? Workspace.acquire(colCount) : nil
            let dcols = (dx != nil && !g.isPointwise) ? Workspace.acquire(colCount) : nil
            // dx of a padded image before cropping.
            let dxPadded = (dx != nil && wide && g.isPadded) ? Workspace.acquire(g.c * g.hp * g.wp) : nil
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
                                for i in 0..<g.ow { d[i] = yr[i] > 0 || yr[i].isNaN ? s[i] : 0 }
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
                if wide && !g.isPointwise {
                    // Band by band: dW += gY[:, band] · colsᵀ, dcols = Wᵀ · gY[:, band] added into the padded dx.
                    var src = xi
                    if let padded {
                        if myW != nil { padImage(xi, g, padded.pointer) }
                        src = UnsafePointer(padded.pointer)
                    }
                    let dxp: UnsafeMutablePointer<Float>? = dx.map { dxPadded?.pointer ?? ($0 + img * chw) }
                    dxp?.update(repeating: 0, count: g.c * g.hp * g.wp)
                    var oy0 = 0
                    while oy0 < g.oh {
                        let oy1 = Swift.min(g.oh, oy0 + band), bw = (oy1 - oy0) * g.wp
                        let gyBand = gyi + oy0 * g.wp
                        if let myW, let cols, let gyT {
                            wideIm2col(src, g, rows: oy0, oy1, cols.pointer)
                            // dWᵀ_g (Kg×Mg) += cols_g (Kg×bw) · gY_gᵀ (bw×Mg). As an NN product OpenBLAS
                            // keeps these sizes on its unthreaded small-matrix path (NT would be packed,
                            // and threaded when BLAS has threads, fighting our own image chunks).
                            for gi in 0..<g.groups {
                                let t = gyT.pointer
                                for mi in 0..<g.mg {
                                    let row = gyBand + (gi * g.mg + mi) * cw
                                    for j in 0..<bw { t[j * g.mg + mi] = row[j] }
                                }
                                BLAS.sgemm(transA: false, transB: false, m: g.kg, n: g.mg, k: bw,
                                           a: cols.pointer + gi * g.kg * bw, lda: bw, b: t, ldb: g.mg,
                                           beta: (img == lo && oy0 == 0) ? 0 : 1, c: myW + gi * g.kg * g.mg, ldc: g.mg)
                            }
                        }
                        if let dxp, let dcols {
                            for gi in 0..<g.groups {
                                BLAS.sgemm(transA: false, transB: false, m: g.kg, n: bw, k: g.mg,
                                           a: wT + gi * g.kg * g.mg, lda: g.mg, b: gyBand + gi * g.mg * cw, ldb: cw,
                                           c: dcols.pointer + gi * g.kg * bw, ldc: bw)
                            }
                            wideCol2imAdd(dcols.pointer, g, rows: oy0, oy1, dxp)
                        }
                        oy0 = oy1
                    }
                    if let dx, let dxPadded {
                        let dxi = dx + img * chw
                        for ci in 0..<g.c {
                            for y in 0..<g.h {
                                copyRow(dxi + (ci * g.h + y) * g.w,
                                        dxPadded.pointer + (ci * g.hp + y + g.padT) * g.wp + g.padL, g.w)
                            }
                        }
                    }
                    continue
                }
                if let myW {
                    let b: UnsafePointer<Float>
                    if let cols {
                        im2colImage(xi, g, cols.pointer)
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
                        BLAS.sgemm(transA: false, transB: false, m: g.kg, n: cw, k: g.mg,
                                   a: wT + gi * g.kg * g.mg, lda: g.mg, b: gyi + gi * g.mg * cw, ldb: cw,
                                   c: target + gi * g.kg * cw, ldc: cw)
                    }
                    if let dcols { col2imImage(dcols.pointer, g, dxi) }
                }
            }
            withExtendedLifetime((padded, cols, dcols, gyBuf, dxPadded, gyT)) {}
        }
        if chunks > 1 {
            if let dw, let partialW, !transposedW {
                for c in 1..<chunks { addRow(dw, partialW.pointer + (c - 1) * wCount, wCount) }
            }
            if let db, let partialB {
                for c in 1..<chunks { addRow(db, partialB.pointer + (c - 1) * g.m, g.m) }
            }
        }
        if transposedW, let dw, let partialW {
            for c in 1..<chunks { addRow(partialW.pointer, partialW.pointer + c * wCount, wCount) }
            for gi in 0..<g.groups {
                let src = partialW.pointer + gi * g.kg * g.mg, dst = dw + gi * g.mg * g.kg
                for k in 0..<g.kg {
                    for mi in 0..<g.mg { dst[mi * g.kg + k] = src[k * g.mg + mi] }
                }
            }
        }
        withExtendedLifetime((partialW, partialB, weightT)) {}
    }

    /// Wᵀ per group ([Kg, Mg] each), from W ([M, Kg]).
    static func transposedWeight(_ weight: UnsafePointer<Float>, _ g: ConvGeometry) -> ScratchBuffer {
        let weightT = Workspace.acquire(g.m * g.kg)
        for gi in 0..<g.groups {
            let src = weight + gi * g.mg * g.kg, dst = weightT.pointer + gi * g.kg * g.mg
            for mi in 0..<g.mg {
                for k in 0..<g.kg { dst[k * g.mg + mi] = src[mi * g.kg + k] }
            }
        }
        return weightT
    }

    /// dst[0..<n] = max(src, 0) (NaN passes, like `torch.relu`), vectorised, split across the workers when large.
    static func relu(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n) { lo, hi in
            let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
            var i = lo
            while i + 8 <= hi {
                let v = s.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                d.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i &* 4, as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < hi { dst[i] = src[i] > 0 || src[i].isNaN ? src[i] : 0; i &+= 1 }
        }
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
