/// Kernels of the N-d convolutions (`conv3d`, the transposed convolutions,
/// `unfold`/`fold`): vol2col / col2vol over three spatial dims (1-D and 2-D
/// callers use unit dims) plus one `sgemm` per image and group. Plain index
/// loops, images split across cores in the forward pass.
struct ConvGeometry3 {
    /// Channels per group on the volume side.
    var c: Int
    /// Volume size (the convolution's input; the transposed convolution's output).
    var d: Int, h: Int, w: Int
    var kd: Int, kh: Int, kw: Int
    var sd: Int, sh: Int, sw: Int
    var pd: Int, ph: Int, pw: Int
    var dd: Int, dh: Int, dw: Int
    /// Column grid size (the convolution's output).
    var od: Int, oh: Int, ow: Int

    var kernelCount: Int { kd * kh * kw }
    var colRows: Int { c * kernelCount }
    var colCols: Int { od * oh * ow }
    var volume: Int { d * h * w }

    /// Output size of a convolution along one dim, PyTorch's formula.
    static func outSize(_ i: Int, k: Int, s: Int, p: Int, dil: Int) -> Int { (i + 2 * p - dil * (k - 1) - 1) / s + 1 }

    /// col[(ch, a, b, e), (z, y, x)] = vol[ch, z·sd − pd + a·dd, …] (0 outside).
    func vol2col(_ vol: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let L = colCols
        for ch in 0..<c {
            for a in 0..<kd {
                for b in 0..<kh {
                    for e in 0..<kw {
                        let row = ((ch * kd + a) * kh + b) * kw + e
                        var dst = col + row * L
                        for z in 0..<od {
                            let iz = z * sd - pd + a * dd
                            if iz < 0 || iz >= d {
                                dst.update(repeating: 0, count: oh * ow)
                                dst += oh * ow
                                continue
                            }
                            for y in 0..<oh {
                                let iy = y * sh - ph + b * dh
                                if iy < 0 || iy >= h {
                                    dst.update(repeating: 0, count: ow)
                                    dst += ow
                                    continue
                                }
                                let srcRow = vol + ((ch * d + iz) * h + iy) * w
                                for x in 0..<ow {
                                    let ix = x * sw - pw + e * dw
                                    dst[x] = (ix >= 0 && ix < w) ? srcRow[ix] : 0
                                }
                                dst += ow
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `vol2col`: vol[…] += col[…] (vol is not cleared).
    func col2vol(_ col: UnsafePointer<Float>, _ vol: UnsafeMutablePointer<Float>) {
        let L = colCols
        for ch in 0..<c {
            for a in 0..<kd {
                for b in 0..<kh {
                    for e in 0..<kw {
                        let row = ((ch * kd + a) * kh + b) * kw + e
                        var src = col + row * L
                        for z in 0..<od {
                            let iz = z * sd - pd + a * dd
                            if iz < 0 || iz >= d { src += oh * ow; continue }
                            for y in 0..<oh {
                                let iy = y * sh - ph + b * dh
                                if iy < 0 || iy >= h { src += ow; continue }
                                let dstRow = vol + ((ch * d + iz) * h + iy) * w
                                for x in 0..<ow {
                                    let ix = x * sw - pw + e * dw
                                    if ix >= 0 && ix < w { dstRow[ix] += src[x] }
                                }
                                src += ow
                            }
                        }
                    }
                }
            }
        }
    }
}

enum ConvNdKernels {
    /// Runs `body(image, col)` for every image, each worker with its own
    /// column buffer of `colCount` floats. Images split across cores only
    /// when each image's GEMM is small enough that OpenBLAS would not thread
    /// it itself (two levels of threads would oversubscribe the cores) — the
    /// same policy as `Conv2d`'s kernels.
    static func perImage(_ n: Int, colCount: Int, macsPerImage: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let chunks: Int
        if n * macsPerImage < 400_000 || n <= 1 || (BLAS.threads > 1 && macsPerImage >= 4_000_000) {
            chunks = 1
        } else {
            chunks = Swift.min(Parallel.workers, n)
        }
        let per = (n + chunks - 1) / chunks
        Parallel.forEach(chunks) { chunk in
            let lo = chunk * per, hi = Swift.min(n, lo + per)
            guard lo < hi else { return }
            let col = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(colCount, 1))
            defer { col.deallocate() }
            for img in lo..<hi { body(img, col) }
        }
    }

    /// Convolution forward: out[n, g] = W_g · vol2col(x[n, g]) (+ bias).
    /// x [N, groups·geo.c, D, H, W], w [M, geo.c, kd, kh, kw] → [N, M, od, oh, ow].
    static func convForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                            _ out: UnsafeMutablePointer<Float>, n: Int, m: Int, groups: Int, geo: ConvGeometry3) {
        let mg = m / groups, K = geo.colRows, L = geo.colCols
        perImage(n, colCount: K * L, macsPerImage: m * K * L) { img, col in
            for g in 0..<groups {
                geo.vol2col(x + (img * groups + g) * geo.c * geo.volume, col)
                BLAS.sgemm(transA: false, transB: false, m: mg, n: L, k: K, a: w + g * mg * K, lda: K,
                           b: col, ldb: L, c: out + (img * m + g * mg) * L, ldc: L)
            }
            if let bias {
                for oc in 0..<m {
                    let row = out + (img * m + oc) * L, bv = bias[oc]
                    for i in 0..<L { row[i] += bv }
                }
            }
        }
    }

    /// Convolution backward: dx (cleared here), dw (accumulated) from gy [N, M, L].
    static func convBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                             n: Int, m: Int, groups: Int, geo: ConvGeometry3) {
        let mg = m / groups, K = geo.colRows, L = geo.colCols, V = geo.c * geo.volume
        if let dx {
            dx.update(repeating: 0, count: n * groups * V)
            perImage(n, colCount: K * L, macsPerImage: m * K * L) { img, col in
                for g in 0..<groups {
                    BLAS.sgemm(transA: true, transB: false, m: K, n: L, k: mg, a: w + g * mg * K, lda: K,
                               b: gy + (img * m + g * mg) * L, ldb: L, c: col, ldc: L)
                    geo.col2vol(col, dx + (img * groups + g) * V)
                }
            }
        }
        if let dw {
            let col = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(K * L, 1))
            defer { col.deallocate() }
            for img in 0..<n {
                for g in 0..<groups {
                    geo.vol2col(x + (img * groups + g) * V, col)
                    BLAS.sgemm(transA: false, transB: true, m: mg, n: K, k: L, a: gy + (img * m + g * mg) * L, lda: L,
                               b: col, ldb: L, beta: 1, c: dw + g * mg * K, ldc: K)
                }
            }
        }
    }

    /// Transposed convolution forward: out[n, g] = col2vol(W_gᵀ · x[n, g]) (+ bias).
    /// x [N, groups·cin_g, od, oh, ow] (the column grid), w [groups·cin_g, geo.c, k…],
    /// out [N, groups·geo.c, D, H, W] (the volume).
    static func transposedForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                                  _ out: UnsafeMutablePointer<Float>, n: Int, cin: Int, groups: Int, geo: ConvGeometry3) {
        let cg = cin / groups, K = geo.colRows, L = geo.colCols, V = geo.c * geo.volume
        let cout = groups * geo.c
        perImage(n, colCount: K * L, macsPerImage: cin * K * L) { img, col in
            let dst = out + img * groups * V
            dst.update(repeating: 0, count: groups * V)
            for g in 0..<groups {
                BLAS.sgemm(transA: true, transB: false, m: K, n: L, k: cg, a: w + g * cg * K, lda: K,
                           b: x + (img * cin + g * cg) * L, ldb: L, c: col, ldc: L)
                geo.col2vol(col, dst + g * V)
            }
            if let bias {
                for oc in 0..<cout {
                    let row = dst + oc * geo.volume, bv = bias[oc]
                    for i in 0..<geo.volume { row[i] += bv }
                }
            }
        }
    }

    /// Transposed convolution backward: dx = W_g · vol2col(gy), dw += x · vol2col(gy)ᵀ.
    static func transposedBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                                   dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                                   n: Int, cin: Int, groups: Int, geo: ConvGeometry3) {
        let cg = cin / groups, K = geo.colRows, L = geo.colCols, V = geo.c * geo.volume
        if let dx {
            perImage(n, colCount: K * L, macsPerImage: cin * K * L) { img, col in
                for g in 0..<groups {
                    geo.vol2col(gy + (img * groups + g) * V, col)
                    BLAS.sgemm(transA: false, transB: false, m: cg, n: L, k: K, a: w + g * cg * K, lda: K,
                               b: col, ldb: L, c: dx + (img * cin + g * cg) * L, ldc: L)
                }
            }
        }
        if let dw {
            let col = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(K * L, 1))
            defer { col.deallocate() }
            for img in 0..<n {
                for g in 0..<groups {
                    geo.vol2col(gy + (img * groups + g) * V, col)
                    BLAS.sgemm(transA: false, transB: true, m: cg, n: K, k: L, a: x + (img * cin + g * cg) * L, lda: L,
                               b: col, ldb: L, beta: 1, c: dw + g * cg * K, ldc: K)
                }
            }
        }
    }
}
