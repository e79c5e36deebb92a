import Foundation

/// Winograd F(4×4, 3×3) convolution for 3×3, stride-1, undilated, ungrouped layers.
///
/// Each 4×4 output tile is computed from a 6×6 input tile with 36
/// multiplications per (output channel, input channel) pair instead of 144
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", points
/// 0, ±1, ±2, ∞):
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// Batched over channels this is 36 independent GEMMs: with the filters
/// transformed once per call (`U`, laid out [36][M][C]) and a block of input
/// tiles transformed (`V`, [36][C][Tb]), `M_k = U_k · V_k` ([M, Tb]) for
/// k = 0..<36, then the output transform writes NCHW with bias and ReLU.
/// Tile blocks (all images' tiles in one sequence) are split across the
/// `Parallel` workers, each with its own `V` and `M` from `Workspace`;
/// every GEMM is one single-threaded OpenBLAS call.
///
/// Backward: dX is itself a Winograd convolution of dY with the filters
/// rotated by 180° and their channel axes swapped, padded by 2 − pad on each
/// side ("full" correlation; a negative padding crops). dW stays on the
/// im2col path (`ConvKernels.backward` with `dx: nil`).
///
/// Accuracy: the transforms' constants (1/4, 1/6, 1/24, 8) make the rounding
/// error larger than direct summation's, about 1e-6…1e-5 relative to
/// ‖x‖·‖w‖ for typical layers; `WinogradTests` pins it against im2col.
enum WinogradKernels {
    /// `WORKBENCH_WINOGRAD=0` keeps every convolution on the im2col path (A/B runs).
    nonisolated(unsafe) static var enabled = ProcessInfo.processInfo.environment["WORKBENCH_WINOGRAD"] != "0"
    /// Smallest input and output channel count taken (below, the GEMMs are too thin to pay).
    nonisolated(unsafe) static var minChannels = 16
    /// Smallest ratio of direct to Winograd multiplications taken: 9·OH·OW / (36·tiles).
    /// 4×4 and larger outputs give ≥ 2.25 (asymptotically 4); 2×2 gives 1, 1×1 gives 0.25.
    nonisolated(unsafe) static var minGain = 2.0
    /// Calls of `forward` and `backwardInput` (tests check that the path was taken; not atomic).
    nonisolated(unsafe) static var calls = 0

    /// Smallest number of 4×4 tiles over the whole batch. Every call transforms the filters
    /// (36·M·C values; 38 MB for a 512→512 layer) and every tile block reads all of them, so
    /// with few tiles that traffic outweighs the multiplications saved. Measured 2026-12-07
    /// (release, `bench models`): taken for every layer, ResNet-18 trained at batch 16 at 19.5
    /// img/s against 30.1 on im2col (layer4 has 16 tiles, layer3 64), while batch 128 gained
    /// 22 % and inference at batch 128 28 %.
    nonisolated(unsafe) static var minTiles = 256

    // MARK: Planner

    /// Whether the convolution of geometry `g` runs (forward and dX) as Winograd F(4×4, 3×3).
    static func applies(_ g: ConvGeometry) -> Bool {
        guard enabled, g.kh == 3, g.kw == 3, g.sh == 1, g.sw == 1, g.dh == 1, g.dw == 1, g.groups == 1,
              g.c >= minChannels, g.m >= minChannels, g.oh > 0, g.ow > 0 else { return false }
        let tiles = ((g.oh + 3) / 4) * ((g.ow + 3) / 4)
        return g.n * tiles >= minTiles && Double(9 * g.p) >= minGain * Double(36 * tiles)
    }

    // MARK: Entry points

    /// Forward: out = epilogue(conv(x, w) + bias), like `ConvKernels.forward`.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ g: ConvGeometry, epilogue: ConvKernels.Epilogue, out: UnsafeMutablePointer<Float>) {
        calls &+= 1
        let u = Workspace.acquire(36 * g.m * g.c)
        transformFilters(weight, outChannels: g.m, inChannels: g.c, flipped: false, into: u.pointer)
        let plane = Plane(n: g.n, c: g.c, h: g.h, w: g.w, padT: g.padT, padL: g.padL, m: g.m, oh: g.oh, ow: g.ow)
        switch epilogue {
        case .none:
            convolve(x, plane, u: u.pointer, bias: bias, relu: false, out: out)
        case .relu:
            convolve(x, plane, u: u.pointer, bias: bias, relu: true, out: out)
        case .reluMaxPool2(let indices):
            // Whole conv output first, then the pooling kernel the im2col path uses (same ties, NaNs, indices).
            let full = Workspace.acquire(g.n * g.m * g.p)
            convolve(x, plane, u: u.pointer, bias: bias, relu: false, out: full.pointer)
            let ph = g.oh / 2, pw = g.ow / 2
            Parallel.forRange(g.n * g.m, grain: Swift.max(1, Parallel.grain / Swift.max(g.p, 1))) { lo, hi in
                for pl in lo..<hi {
                    PoolKernels.max2x2Rows(UnsafePointer(full.pointer + pl * g.p), rowStride: g.ow, rowLength: g.ow,
                                           ph: ph, pw: pw, bias: 0, relu: true,
                                           out: out + pl * ph * pw, indices: indices + pl * ph * pw)
                }
            }
            withExtendedLifetime(full) {}
        case .scaleShift:
            // The folded inference batch norm (+ ReLU), per output plane after the bias.
            convolve(x, plane, u: u.pointer, bias: bias, relu: false, out: out)
            Parallel.forRange(g.n * g.m, grain: Swift.max(1, Parallel.grain / Swift.max(g.p, 1))) { lo, hi in
                for pl in lo..<hi {
                    let d = out + pl * g.p
                    epilogue.store(d, UnsafePointer(d), g.p, channel: pl % g.m, bias: 0)
                }
            }
        }
        withExtendedLifetime(u) {}
    }

    /// dx ([N, C, H, W], overwritten) from the output gradient `gy` (as `ConvKernels.backward` takes it).
    static func backwardInput(gy: UnsafePointer<Float>, prologue: ConvKernels.Prologue, weight: UnsafePointer<Float>,
                              _ g: ConvGeometry, dx: UnsafeMutablePointer<Float>) {
        calls &+= 1
        let count = g.n * g.m * g.p
        var plain: ScratchBuffer?
        switch prologue {
        case .none: break
        case .relu(let y):
            let b = Workspace.acquire(count)
            let d = b.pointer
            Parallel.forRange(count) { lo, hi in
                for i in lo..<hi { d[i] = y[i] > 0 || y[i].isNaN ? gy[i] : 0 }
            }
            plain = b
        case .reluMaxPool2(let indices):
            let b = Workspace.acquire(count)
            let pooled = (g.oh / 2) * (g.ow / 2)
            for pl in 0..<(g.n * g.m) {
                ConvKernels.Prologue.unpool(gy + pl * pooled, indices: indices + pl * pooled, pooled,
                                            into: b.pointer + pl * g.p, plane: g.p)
            }
            plain = b
        }
        let src = plain.map { UnsafePointer($0.pointer) } ?? gy
        let u = Workspace.acquire(36 * g.m * g.c)
        transformFilters(weight, outChannels: g.c, inChannels: g.m, flipped: true, into: u.pointer)
        let plane = Plane(n: g.n, c: g.m, h: g.oh, w: g.ow, padT: 2 - g.padT, padL: 2 - g.padL,
                          m: g.c, oh: g.h, ow: g.w)
        convolve(src, plane, u: u.pointer, bias: nil, relu: false, out: dx)
        withExtendedLifetime((u, plain)) {}
    }

    // MARK: The tiled convolution

    /// Sizes of one Winograd correlation: input [N, C, H, W] read at offset
    /// (−padT, −padL) with zeros outside, output [N, M, OH, OW].
    struct Plane {
        var n: Int, c: Int, h: Int, w: Int
        var padT: Int, padL: Int
        var m: Int, oh: Int, ow: Int
        var tilesH: Int { (oh + 3) / 4 }
        var tilesW: Int { (ow + 3) / 4 }
        var tiles: Int { n * tilesH * tilesW }
    }

    /// Tiles per block: `V` and `M` of a block (36·(C + M)·Tb floats) stay
    /// within about 1 MB (L2), but at least 16 columns per GEMM.
    static func blockTiles(_ s: Plane) -> Int {
        Swift.max(16, Swift.min(256, (1 << 18) / (36 * (s.c + s.m))))
    }

    /// out = correlation of x with the transformed filters `u` ([36][M][C]), + bias, ReLU.
    static func convolve(_ x: UnsafePointer<Float>, _ s: Plane, u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         relu: Bool, out: UnsafeMutablePointer<Float>) {
        let total = s.tiles
        guard total > 0 else { return }
        let macs = 36 * s.m * s.c * total
        let workers = macs < 400_000 ? 1 : Parallel.workers
        // Whole blocks per worker; small batches cut into one block per worker.
        let tb = Swift.max(1, Swift.min(blockTiles(s), (total + workers - 1) / workers))
        let blocks = (total + tb - 1) / tb
        let chunks = Swift.min(workers, blocks)
        let perChunk = (blocks + chunks - 1) / chunks
        Parallel.forEach(chunks) { ch in
            let v = Workspace.acquire(36 * s.c * tb), mt = Workspace.acquire(36 * s.m * tb)
            for blk in (ch * perChunk)..<Swift.min(blocks, (ch + 1) * perChunk) {
                let t0 = blk * tb, cnt = Swift.min(tb, total - t0)
                transformInput(x, s, firstTile: t0, count: cnt, into: v.pointer)
                for k in 0..<36 {
                    BLAS.sgemm(transA: false, transB: false, m: s.m, n: cnt, k: s.c,
                               a: u + k * s.m * s.c, lda: s.c, b: v.pointer + k * s.c * cnt, ldb: cnt,
                               c: mt.pointer + k * s.m * cnt, ldc: cnt)
                }
                transformOutput(UnsafePointer(mt.pointer), s, firstTile: t0, count: cnt, bias: bias, relu: relu, out: out)
            }
            withExtendedLifetime((v, mt)) {}
        }
    }

    // MARK: Transforms

    /// Six rows of a 6×6 (or smaller) tile, lanes = columns.
    typealias Rows6 = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// Column `b` of six rows as one vector (lane a = row a): the transpose step between the two passes.
    @inline(__always)
    static func column(_ r: Rows6, _ b: Int) -> SIMD8<Float> {
        SIMD8(r.0[b], r.1[b], r.2[b], r.3[b], r.4[b], r.5[b], 0, 0)
    }

    /// u[k][o][i] = (G g Gᵀ)[k] for each 3×3 filter g = w[o][i] ([outChannels, inChannels, 3, 3]),
    /// or, `flipped`, g = rot180(w[i][o]) of a [inChannels, outChannels, 3, 3] weight (for dX).
    static func transformFilters(_ w: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int, flipped: Bool,
                                 into u: UnsafeMutablePointer<Float>) {
        Parallel.forRange(m * c, grain: 4096) { lo, hi in
            for pair in lo..<hi {
                let o = pair / c, i = pair % c
                let src = flipped ? w + (i * m + o) * 9 : w + (o * c + i) * 9
                @inline(__always) func tap(_ a: Int, _ b: Int) -> Float { flipped ? src[8 - a * 3 - b] : src[a * 3 + b] }
                // Rows of g (lanes = columns), G g lane-wise, transpose, G (G g)ᵀ lane-wise: lane a of h_b is U[a][b].
                let g0 = SIMD8<Float>(tap(0, 0), tap(0, 1), tap(0, 2), 0, 0, 0, 0, 0)
                let g1 = SIMD8<Float>(tap(1, 0), tap(1, 1), tap(1, 2), 0, 0, 0, 0, 0)
                let g2 = SIMD8<Float>(tap(2, 0), tap(2, 1), tap(2, 2), 0, 0, 0, 0, 0)
                let t = gTransform(g0, g1, g2)
                let h = gTransform(column(t, 0), column(t, 1), column(t, 2))
                for b in 0..<6 {
                    let hb: SIMD8<Float>
                    switch b {
                    case 0: hb = h.0
                    case 1: hb = h.1
                    case 2: hb = h.2
                    case 3: hb = h.3
                    case 4: hb = h.4
                    default: hb = h.5
                    }
                    for a in 0..<6 { u[((a * 6 + b) * m + o) * c + i] = hb[a] }
                }
            }
        }
    }

    /// G·(g0, g1, g2) lane-wise, G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1].
    @inline(__always)
    static func gTransform(_ g0: SIMD8<Float>, _ g1: SIMD8<Float>, _ g2: SIMD8<Float>) -> Rows6 {
        let s = (g0 + g2) * (-1 / 6 as Float), d = g1 * (-1 / 6 as Float)
        let q = g0 * (1 / 24 as Float) + g2 * (1 / 6 as Float), e = g1 * (1 / 12 as Float)
        return (g0 * 0.25, s + d, s - d, q + e, q - e, g2)
    }

    /// Bᵀ·z for the six lanes of each of the vectors (lane-wise), Bᵀ =
    /// [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].
    @inline(__always)
    static func bTransform(_ z0: SIMD8<Float>, _ z1: SIMD8<Float>, _ z2: SIMD8<Float>, _ z3: SIMD8<Float>,
                           _ z4: SIMD8<Float>, _ z5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let a = z4 - 4 * z2, b = z3 - 4 * z1
        let c = z4 - z2, d = 2 * (z3 - z1)
        return (4 * z0 - 5 * z2 + z4, a + b, a - b, c + d, c - d, 4 * z1 - 5 * z3 + z5)
    }

    /// v[k][ci][t] = (Bᵀ d B)[k] for the 6×6 input patch d of tile t0 + t and channel ci.
    static func transformInput(_ x: UnsafePointer<Float>, _ s: Plane, firstTile t0: Int, count: Int,
                               into v: UnsafeMutablePointer<Float>) {
        let perImage = s.tilesH * s.tilesW, hw = s.h * s.w
        let kStride = s.c * count
        for ci in 0..<s.c {
            for t in 0..<count {
                let tile = t0 + t, img = tile / perImage, r = tile % perImage
                let y0 = (r / s.tilesW) * 4 - s.padT, x0 = (r % s.tilesW) * 4 - s.padL
                let src = x + (img * s.c + ci) * hw
                // Rows of the patch, lanes 0..<6 = columns.
                var rows: Rows6 = (SIMD8(), SIMD8(), SIMD8(), SIMD8(), SIMD8(), SIMD8())
                withUnsafeMutableBytes(of: &rows) { raw in
                    let p = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    let interior = y0 >= 0 && y0 + 6 <= s.h && x0 >= 0 && x0 + 6 <= s.w
                    for a in 0..<6 {
                        let iy = y0 + a, dst = p + a * 8
                        if interior {
                            let row = src + iy * s.w + x0
                            for b in 0..<6 { dst[b] = row[b] }
                        } else if iy >= 0 && iy < s.h {
                            let row = src + iy * s.w
                            for b in 0..<6 {
                                let ix = x0 + b
                                dst[b] = ix >= 0 && ix < s.w ? row[ix] : 0
                            }
                        }
                    }
                }
                // Bᵀ d lane-wise on the rows, transpose, Bᵀ (Bᵀ d)ᵀ: lane a of f_k is V[a][k].
                let c = bTransform(rows.0, rows.1, rows.2, rows.3, rows.4, rows.5)
                let f = bTransform(column(c, 0), column(c, 1), column(c, 2), column(c, 3), column(c, 4), column(c, 5))
                let o = v + ci * count + t
                for a in 0..<6 {
                    let q = o + a * 6 * kStride
                    q[0] = f.0[a]; q[kStride] = f.1[a]; q[2 * kStride] = f.2[a]
                    q[3 * kStride] = f.3[a]; q[4 * kStride] = f.4[a]; q[5 * kStride] = f.5[a]
                }
            }
        }
    }

    /// Aᵀ·z lane-wise, Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
    @inline(__always)
    static func aTransform(_ z0: SIMD8<Float>, _ z1: SIMD8<Float>, _ z2: SIMD8<Float>, _ z3: SIMD8<Float>,
                           _ z4: SIMD8<Float>, _ z5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let p = z1 + z2, q = z1 - z2, r = z3 + z4, t = z3 - z4
        return (z0 + p + r, q + 2 * t, p + 4 * r, q + 8 * t + z5)
    }

    /// out[img][mo][4×4 tile] = Aᵀ m A (+ bias, ReLU), cropped to OH×OW, for tiles t0..<t0 + count.
    static func transformOutput(_ mt: UnsafePointer<Float>, _ s: Plane, firstTile t0: Int, count: Int,
                                bias: UnsafePointer<Float>?, relu: Bool, out: UnsafeMutablePointer<Float>) {
        let perImage = s.tilesH * s.tilesW, ohw = s.oh * s.ow
        let kStride = s.m * count
        for mo in 0..<s.m {
            let bv = bias?[mo] ?? 0
            for t in 0..<count {
                let src = mt + mo * count + t
                // Rows a of the 6×6 product, lanes = columns b.
                var rows: Rows6 = (SIMD8(), SIMD8(), SIMD8(), SIMD8(), SIMD8(), SIMD8())
                withUnsafeMutableBytes(of: &rows) { raw in
                    let p = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    for a in 0..<6 {
                        for b in 0..<6 { p[a * 8 + b] = src[(a * 6 + b) * kStride] }
                    }
                }
                // Aᵀ m lane-wise (4 rows), transpose (lanes 0..<4), Aᵀ (Aᵀ m)ᵀ: lane i of y_j is out[i][j].
                let r = aTransform(rows.0, rows.1, rows.2, rows.3, rows.4, rows.5)
                let rt: Rows6 = (r.0, r.1, r.2, r.3, SIMD8(), SIMD8())
                var y = aTransform(column(rt, 0), column(rt, 1), column(rt, 2), column(rt, 3), column(rt, 4), column(rt, 5))
                y.0 += bv; y.1 += bv; y.2 += bv; y.3 += bv
                if relu {
                    // NaN passes, like `torch.relu`.
                    y.0 = y.0.replacing(with: 0, where: y.0 .< 0 .| y.0 .== 0)
                    y.1 = y.1.replacing(with: 0, where: y.1 .< 0 .| y.1 .== 0)
                    y.2 = y.2.replacing(with: 0, where: y.2 .< 0 .| y.2 .== 0)
                    y.3 = y.3.replacing(with: 0, where: y.3 .< 0 .| y.3 .== 0)
                }
                let tile = t0 + t, img = tile / perImage, tr = tile % perImage
                let oy0 = (tr / s.tilesW) * 4, ox0 = (tr % s.tilesW) * 4
                let dst = out + (img * s.m + mo) * ohw + oy0 * s.ow + ox0
                let rowsOut = Swift.min(4, s.oh - oy0), colsOut = Swift.min(4, s.ow - ox0)
                for i in 0..<rowsOut {
                    let d = dst + i * s.ow
                    d[0] = y.0[i]
                    if colsOut > 1 { d[1] = y.1[i] }
                    if colsOut > 2 { d[2] = y.2[i] }
                    if colsOut > 3 { d[3] = y.3[i] }
                }
            }
        }
    }
}
