import Foundation

/// Convolutions of small feature maps: several images per GEMM.
///
/// With one GEMM per image, a layer whose output plane is tiny (ResNet-18's
/// layer4 on 32×32 inputs: 4×4, P = 16) multiplies the whole weight matrix
/// ([M, K] = [512, 4608]) by a [K, 16] column block: OpenBLAS streams and
/// packs the weights again for every image and its kernel runs on 16
/// columns. Here the im2col matrices of `nb` images sit side by side in one
/// `[K, nb·P]` block (column = (image, pixel)), so one GEMM per group covers
/// them all; the output is scattered back to NCHW with the epilogue (bias,
/// ReLU, 2×2 max-pool) applied on the way. Backward gathers the output
/// gradient of the block to `[M, nb·P]` (applying the prologue), then
/// `dW += gY · colsᵀ` and `dcols = Wᵀ · gY` over the block, col2im per image.
///
/// `nb` is chosen so the block has about `blockColumns` columns while its
/// im2col matrix stays under `blockFloats` (cache-sized), within each
/// worker's share of the batch, so both workers still get images. Only
/// planes of at most `maxBlockPixels` outputs take this path: larger planes
/// already give the GEMM enough columns (and LeNet's layers, P ≥ 100, keep
/// their per-image path bit for bit). `WORKBENCH_CONV_BATCH=0` turns it off.
extension ConvKernels {
    /// Whether small planes are batched (`WORKBENCH_CONV_BATCH=0` turns it off; tests toggle it).
    nonisolated(unsafe) static var imageBlocksEnabled =
        ProcessInfo.processInfo.environment["WORKBENCH_CONV_BATCH"] != "0"
    /// Target GEMM width of a block (tests lower it to exercise partial blocks).
    nonisolated(unsafe) static var blockColumns = 256
    /// Upper bound of a block's im2col matrix in floats (2 MB).
    static let blockFloats = 1 << 19
    /// Largest output plane that is batched.
    static let maxBlockPixels = 64

    /// Images of one worker's chunk (see `forImageChunks`).
    static func chunkImages(_ n: Int, macs: Int) -> Int {
        let chunks = chunkCount(n, macs: macs)
        return (n + chunks - 1) / chunks
    }

    /// Images per GEMM for this geometry, 1 for the per-image path.
    static func imagesPerGemm(_ g: ConvGeometry, chunkImages: Int) -> Int {
        guard imageBlocksEnabled, g.p <= maxBlockPixels, chunkImages > 1 else { return 1 }
        let byWidth = Swift.max(1, blockColumns / g.p)
        let byCache = Swift.max(1, blockFloats / Swift.max(g.c * g.kh * g.kw * g.p, 1))
        return Swift.min(chunkImages, byWidth, byCache)
    }

    /// Column block ([C·KH·KW, count·P], row stride count·P) of images first..<first+count.
    @inline(__always)
    static func im2colBlock(_ x: UnsafePointer<Float>, _ g: ConvGeometry, first: Int, count: Int,
                            _ cols: UnsafeMutablePointer<Float>) {
        let p = g.p, chw = g.c * g.h * g.w, ld = count * p
        for j in 0..<count {
            let xi = x + (first + j) * chw
            if g.isPointwise {
                for ci in 0..<g.c { copyRow(cols + ci * ld + j * p, xi + ci * p, p) }
            } else {
                im2colImage(xi, g, cols + j * p, ld: ld)
            }
        }
    }

    /// `forward` for planes of at most `maxBlockPixels` outputs, `nb` images per GEMM.
    static func forwardImageBlocks(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                   _ g: ConvGeometry, epilogue: Epilogue, out: UnsafeMutablePointer<Float>,
                                   imagesPerGemm nb: Int) {
        let p = g.p, kTotal = g.c * g.kh * g.kw
        let ph = g.oh / 2, pw = g.ow / 2
        var indices: UnsafeMutablePointer<Int32>?
        if case .reluMaxPool2(let ix) = epilogue { indices = ix }
        let outPerImage = indices != nil ? g.m * ph * pw : g.m * p
        forImageChunks(g.n, macs: g.n * g.m * p * g.kg) { _, lo, hi in
            let cols = Workspace.acquire(kTotal * nb * p)
            let convOut = Workspace.acquire(g.m * nb * p)
            var first = lo
            while first < hi {
                let count = Swift.min(nb, hi - first), ld = count * p
                im2colBlock(x, g, first: first, count: count, cols.pointer)
                for gi in 0..<g.groups {
                    BLAS.sgemm(transA: false, transB: false, m: g.mg, n: ld, k: g.kg,
                               a: weight + gi * g.mg * g.kg, lda: g.kg,
                               b: cols.pointer + gi * g.kg * ld, ldb: ld,
                               c: convOut.pointer + gi * g.mg * ld, ldc: ld)
                }
                for j in 0..<count {
                    let oi = out + (first + j) * outPerImage
                    for ch in 0..<g.m {
                        let s = UnsafePointer(convOut.pointer + ch * ld + j * p)
                        let bv = bias?[ch] ?? 0
                        if let indices {
                            PoolKernels.max2x2Rows(s, rowStride: g.ow, rowLength: g.ow, ph: ph, pw: pw,
                                                   bias: bv, relu: true, out: oi + ch * ph * pw,
                                                   indices: indices + (first + j) * outPerImage + ch * ph * pw)
                        } else {
                            epilogue.store(oi + ch * p, s, p, channel: ch, bias: bv)
                        }
                    }
                }
                first += count
            }
            withExtendedLifetime((cols, convOut)) {}
        }
    }

    /// `backward` for planes of at most `maxBlockPixels` outputs, `nb` images per GEMM.
    static func backwardImageBlocks(gy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    prologue: Prologue, _ g: ConvGeometry,
                                    dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                                    db: UnsafeMutablePointer<Float>?, imagesPerGemm nb: Int) {
        let p = g.p, chw = g.c * g.h * g.w, kTotal = g.c * g.kh * g.kw
        let ph = g.oh / 2, pw = g.ow / 2
        var gyPerImage = g.m * p
        if case .reluMaxPool2 = prologue { gyPerImage = g.m * ph * pw }
        let wCount = g.m * g.kg
        let macs = g.n * g.m * p * g.kg * ((dx != nil ? 1 : 0) + (dw != nil ? 1 : 0))
        let chunks = chunkCount(g.n, macs: macs)
        // Chunk 0 accumulates into dw/db directly, the others into partials summed at the end.
        let partialW = (dw != nil && chunks > 1) ? Workspace.acquire((chunks - 1) * wCount) : nil
        let partialB = (db != nil && chunks > 1) ? Workspace.acquire((chunks - 1) * g.m) : nil
        let weightT = dx != nil ? transposedWeight(weight, g) : nil
        forImageChunks(g.n, macs: macs) { c, lo, hi in
            let myW = dw.map { c == 0 ? $0 : (partialW?.pointer ?? $0) + (c - 1) * wCount }
            let myB = db.map { c == 0 ? $0 : (partialB?.pointer ?? $0) + (c - 1) * g.m }
            if let myB { myB.update(repeating: 0, count: g.m) }
            let gyBlock = Workspace.acquire(g.m * nb * p)
            let cols = dw != nil ? Workspace.acquire(kTotal * nb * p) : nil
            let dcols = dx != nil ? Workspace.acquire(kTotal * nb * p) : nil
            var first = lo
            while first < hi {
                let count = Swift.min(nb, hi - first), ld = count * p
                let gb = gyBlock.pointer
                for j in 0..<count {
                    let img = first + j, gyi = gy + img * gyPerImage
                    switch prologue {
                    case .none:
                        for ch in 0..<g.m { copyRow(gb + ch * ld + j * p, gyi + ch * p, p) }
                    case .relu(let y):
                        let yi = y + img * g.m * p
                        for ch in 0..<g.m {
                            let d = gb + ch * ld + j * p, s = gyi + ch * p, yr = yi + ch * p
                            for i in 0..<p { d[i] = yr[i] > 0 || yr[i].isNaN ? s[i] : 0 }
                        }
                    case .reluMaxPool2(let indices):
                        let ix = indices + img * gyPerImage
                        for ch in 0..<g.m {
                            ConvKernels.Prologue.unpool(gyi + ch * ph * pw, indices: ix + ch * ph * pw, ph * pw,
                                                        into: gb + ch * ld + j * p, plane: p)
                        }
                    }
                }
                if let myB {
                    for ch in 0..<g.m { myB[ch] += sumRow(gb + ch * ld, ld) }
                }
                if let myW, let cols {
                    im2colBlock(x, g, first: first, count: count, cols.pointer)
                    // dW_g (Mg×Kg) += gY_g (Mg×nb·P) · cols_gᵀ (nb·P×Kg)
                    for gi in 0..<g.groups {
                        BLAS.sgemm(transA: false, transB: true, m: g.mg, n: g.kg, k: ld,
                                   a: gb + gi * g.mg * ld, lda: ld, b: cols.pointer + gi * g.kg * ld, ldb: ld,
                                   beta: first == lo ? 0 : 1, c: myW + gi * g.mg * g.kg, ldc: g.kg)
                    }
                }
                if let dx, let dcols, let weightT {
                    // dcols_g (Kg×nb·P) = W_gᵀ (Kg×Mg) · gY_g (Mg×nb·P), then col2im per image.
                    for gi in 0..<g.groups {
                        BLAS.sgemm(transA: false, transB: false, m: g.kg, n: ld, k: g.mg,
                                   a: weightT.pointer + gi * g.kg * g.mg, lda: g.mg, b: gb + gi * g.mg * ld, ldb: ld,
                                   c: dcols.pointer + gi * g.kg * ld, ldc: ld)
                    }
                    for j in 0..<count {
                        let dxi = dx + (first + j) * chw, src = UnsafePointer(dcols.pointer + j * p)
                        if g.isPointwise {
                            for ci in 0..<g.c { copyRow(dxi + ci * p, src + ci * ld, p) }
                        } else {
                            col2imImage(src, g, dxi, ld: ld)
                        }
                    }
                }
                first += count
            }
            withExtendedLifetime((gyBlock, cols, dcols)) {}
        }
        if chunks > 1 {
            if let dw, let partialW {
                for c in 1..<chunks { addRow(dw, partialW.pointer + (c - 1) * wCount, wCount) }
            }
            if let db, let partialB {
                for c in 1..<chunks { addRow(db, partialB.pointer + (c - 1) * g.m, g.m) }
            }
        }
        withExtendedLifetime((partialW, partialB, weightT)) {}
    }
}
