/// Pooling kernels over three spatial dims (1-D and 2-D callers use unit
/// dims) for the pooling layers beyond `PoolKernels`' 2-D fast paths:
/// max (with in-plane indices), average, adaptive max/average and max
/// unpooling. Planes (N·C) are independent, so work splits by plane.
struct PoolGeometry3 {
    var planes: Int
    var d: Int, h: Int, w: Int
    var kd: Int, kh: Int, kw: Int
    var sd: Int, sh: Int, sw: Int
    var pd: Int, ph: Int, pw: Int
    var dd: Int = 1, dh: Int = 1, dw: Int = 1
    var od: Int, oh: Int, ow: Int

    var volume: Int { d * h * w }
    var outVolume: Int { od * oh * ow }
    var grain: Int { Swift.max(1, 16384 / Swift.max(volume, 1)) }
}

enum PoolNdKernels {
    /// Max over each window; `idx` gets the flat in-plane index of the
    /// maximum (first in row-major order on ties; NaN wins, like PyTorch).
    static func maxForward(_ x: UnsafePointer<Float>, _ g: PoolGeometry3, _ out: UnsafeMutablePointer<Float>,
                           _ idx: UnsafeMutablePointer<Int>) {
        Parallel.forRange(g.planes, grain: g.grain) { lo, hi in
            for plane in lo..<hi {
                let src = x + plane * g.volume
                var o = plane * g.outVolume
                for z in 0..<g.od {
                    for y in 0..<g.oh {
                        for xo in 0..<g.ow {
                            var best = -Float.infinity, bestIndex = -1
                            for a in 0..<g.kd {
                                let iz = z * g.sd - g.pd + a * g.dd
                                if iz < 0 || iz >= g.d { continue }
                                for b in 0..<g.kh {
                                    let iy = y * g.sh - g.ph + b * g.dh
                                    if iy < 0 || iy >= g.h { continue }
                                    for e in 0..<g.kw {
                                        let ix = xo * g.sw - g.pw + e * g.dw
                                        if ix < 0 || ix >= g.w { continue }
                                        let i = (iz * g.h + iy) * g.w + ix
                                        let v = src[i]
                                        if bestIndex < 0 || v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = i }
                                    }
                                }
                            }
                            out[o] = best
                            idx[o] = Swift.max(bestIndex, 0)
                            o += 1
                        }
                    }
                }
            }
        }
    }

    /// dx[plane][idx] += gy (dx cleared by the caller); also the max-unpool forward.
    static func scatter(_ gy: UnsafePointer<Float>, _ idx: UnsafePointer<Int>, planes: Int, inCount: Int, outCount: Int,
                        _ dx: UnsafeMutablePointer<Float>) {
        Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(inCount, 1))) { lo, hi in
            for plane in lo..<hi {
                let s = gy + plane * inCount, ix = idx + plane * inCount, d = dx + plane * outCount
                for i in 0..<inCount { d[ix[i]] += s[i] }
            }
        }
    }

    /// out[plane][i] = x[plane][idx[i]]: the max-unpool backward.
    static func gather(_ x: UnsafePointer<Float>, _ idx: UnsafePointer<Int>, planes: Int, count: Int, srcCount: Int,
                       _ out: UnsafeMutablePointer<Float>) {
        Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(count, 1))) { lo, hi in
            for plane in lo..<hi {
                let s = x + plane * srcCount, ix = idx + plane * count, o = out + plane * count
                for i in 0..<count { o[i] = s[ix[i]] }
            }
        }
    }

    /// The window of output position `o` along one dim and its divisor span,
    /// like PyTorch's avg_pool: span counts padding, the range does not.
    @inline(__always)
    static func avgRange(_ o: Int, s: Int, p: Int, k: Int, size: Int) -> (Int, Int, Int) {
        let start = o * s - p
        let end = Swift.min(start + k, size + p)
        return (Swift.max(start, 0), Swift.min(end, size), end - start)
    }

    /// Average over each window (`backward` false) or its adjoint (`backward`
    /// true: dx[window] += gy / divisor, dx cleared by the caller).
    static func avg(_ src: UnsafePointer<Float>, _ g: PoolGeometry3, countIncludePad: Bool, divisorOverride: Int?,
                    _ dst: UnsafeMutablePointer<Float>, backward: Bool) {
        Parallel.forRange(g.planes, grain: g.grain) { lo, hi in
            for plane in lo..<hi {
                let vol = plane * g.volume
                var o = plane * g.outVolume
                for z in 0..<g.od {
                    let (z0, z1, zs) = avgRange(z, s: g.sd, p: g.pd, k: g.kd, size: g.d)
                    for y in 0..<g.oh {
                        let (y0, y1, ys) = avgRange(y, s: g.sh, p: g.ph, k: g.kh, size: g.h)
                        for xo in 0..<g.ow {
                            let (x0, x1, xs) = avgRange(xo, s: g.sw, p: g.pw, k: g.kw, size: g.w)
                            let count = Swift.max(z1 - z0, 0) * Swift.max(y1 - y0, 0) * Swift.max(x1 - x0, 0)
                            let divisor = Float(divisorOverride ?? (countIncludePad ? zs * ys * xs : count))
                            if backward {
                                let gv = src[o] / divisor
                                for iz in z0..<Swift.max(z1, z0) {
                                    for iy in y0..<Swift.max(y1, y0) {
                                        let row = dst + vol + (iz * g.h + iy) * g.w
                                        for ix in x0..<Swift.max(x1, x0) { row[ix] += gv }
                                    }
                                }
                            } else {
                                var acc: Float = 0
                                for iz in z0..<Swift.max(z1, z0) {
                                    for iy in y0..<Swift.max(y1, y0) {
                                        let row = src + vol + (iz * g.h + iy) * g.w
                                        for ix in x0..<Swift.max(x1, x0) { acc += row[ix] }
                                    }
                                }
                                dst[o] = acc / divisor
                            }
                            o += 1
                        }
                    }
                }
            }
        }
    }

    /// Adaptive window of output `o`: [floor(o·in/out), ceil((o+1)·in/out)).
    @inline(__always)
    static func adaptiveRange(_ o: Int, _ outSize: Int, _ inSize: Int) -> (Int, Int) {
        (o * inSize / outSize, ((o + 1) * inSize + outSize - 1) / outSize)
    }

    /// Adaptive max (with indices, `idx` non-nil) or average (forward, or its
    /// adjoint with `backward`) over `g`'s planes; only `g`'s sizes are used.
    static func adaptive(_ src: UnsafePointer<Float>, _ g: PoolGeometry3, max: Bool, backward: Bool,
                         _ dst: UnsafeMutablePointer<Float>, _ idx: UnsafeMutablePointer<Int>?) {
        Parallel.forRange(g.planes, grain: g.grain) { lo, hi in
            for plane in lo..<hi {
                let vol = plane * g.volume
                var o = plane * g.outVolume
                for z in 0..<g.od {
                    let (z0, z1) = adaptiveRange(z, g.od, g.d)
                    for y in 0..<g.oh {
                        let (y0, y1) = adaptiveRange(y, g.oh, g.h)
                        for xo in 0..<g.ow {
                            let (x0, x1) = adaptiveRange(xo, g.ow, g.w)
                            let count = Float((z1 - z0) * (y1 - y0) * (x1 - x0))
                            var acc: Float = 0, best = -Float.infinity, bestIndex = -1
                            for iz in z0..<z1 {
                                for iy in y0..<y1 {
                                    for ix in x0..<x1 {
                                        let i = (iz * g.h + iy) * g.w + ix
                                        if backward { dst[vol + i] += src[o] / count; continue }
                                        let v = src[vol + i]
                                        if max {
                                            if bestIndex < 0 || v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = i }
                                        } else { acc += v }
                                    }
                                }
                            }
                            if !backward {
                                if max { dst[o] = best; idx?[o] = Swift.max(bestIndex, 0) } else { dst[o] = acc / count }
                            }
                            o += 1
                        }
                    }
                }
            }
        }
    }
}
