/// Pooling kernels over NCHW planes (each plane is independent, so work
/// splits by plane).
struct PoolGeometry: Equatable {
    /// Number of planes (N·C).
    var planes: Int
    var h: Int, w: Int
    var kh: Int, kw: Int
    var sh: Int, sw: Int
    var ph: Int, pw: Int
    var dh: Int, dw: Int
    var oh: Int, ow: Int

    /// Output size of one pooled dim, like PyTorch's `pooling_output_shape`.
    static func outputSize(_ input: Int, kernel: Int, stride: Int, pad: Int, dilation: Int, ceilMode: Bool) -> Int {
        let span = input + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
        var out = floorDiv(span, stride) + 1
        // With ceil mode the last window must start inside the input or the left padding.
        if ceilMode && (out - 1) * stride >= input + pad { out -= 1 }
        return out
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

enum PoolKernels {
    /// Max pooling with the flat in-plane index of each maximum (for backward).
    /// Ties keep the first maximum in row-major order; NaN wins, like PyTorch.
    static func maxForward(_ x: UnsafePointer<Float>, _ g: PoolGeometry,
                           out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        let hw = g.h * g.w, ohw = g.oh * g.ow
        let fast2x2 = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0
            && g.dh == 1 && g.dw == 1 && 2 * g.oh <= g.h && 2 * g.ow <= g.w
        Parallel.forRange(g.planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let src = x + plane * hw
                let o = out + plane * ohw
                let ix = indices + plane * ohw
                if fast2x2 {
                    max2x2Rows(src, rowStride: g.w, rowLength: g.w, ph: g.oh, pw: g.ow, bias: 0, relu: false,
                               out: o, indices: ix)
                    continue
                }
                for oy in 0..<g.oh {
                    let y0 = oy * g.sh - g.ph
                    for ox in 0..<g.ow {
                        let x0 = ox * g.sw - g.pw
                        var best = -Float.infinity
                        var bi = -1
                        for ki in 0..<g.kh {
                            let iy = y0 + ki * g.dh
                            if iy < 0 || iy >= g.h { continue }
                            for kj in 0..<g.kw {
                                let jx = x0 + kj * g.dw
                                if jx < 0 || jx >= g.w { continue }
                                let v = src[iy * g.w + jx]
                                if bi < 0 || v > best || v.isNaN { best = v; bi = iy * g.w + jx }
                                if v.isNaN { break }
                            }
                        }
                        o[oy * g.ow + ox] = best
                        ix[oy * g.ow + ox] = Int32(Swift.max(bi, 0))
                    }
                }
            }
        }
    }

    /// dx (overwritten) = scatter of gy to the saved argmax positions.
    static func maxBackward(_ gy: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>, _ g: PoolGeometry,
                            dx: UnsafeMutablePointer<Float>) {
        let hw = g.h * g.w, ohw = g.oh * g.ow
        Parallel.forRange(g.planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let d = dx + plane * hw
                d.update(repeating: 0, count: hw)
                let s = gy + plane * ohw
                let ix = indices + plane * ohw
                for i in 0..<ohw { d[Int(ix[i])] += s[i] }
            }
        }
    }

    /// The window of output (oy, ox) clipped to the input, and its divisor.
    @inline(__always)
    static func avgWindow(_ g: PoolGeometry, _ oy: Int, _ ox: Int, countIncludePad: Bool, divisorOverride: Int?)
        -> (y0: Int, y1: Int, x0: Int, x1: Int, div: Float) {
        var y0 = oy * g.sh - g.ph, x0 = ox * g.sw - g.pw
        var y1 = Swift.min(y0 + g.kh, g.h + g.ph), x1 = Swift.min(x0 + g.kw, g.w + g.pw)
        let padded = (y1 - y0) * (x1 - x0)
        y0 = Swift.max(y0, 0); x0 = Swift.max(x0, 0)
        y1 = Swift.min(y1, g.h); x1 = Swift.min(x1, g.w)
        let div: Int
        if let d = divisorOverride { div = d } else { div = countIncludePad ? padded : (y1 - y0) * (x1 - x0) }
        return (y0, y1, x0, x1, Float(div))
    }

    static func avgForward(_ x: UnsafePointer<Float>, _ g: PoolGeometry, countIncludePad: Bool, divisorOverride: Int?,
                           out: UnsafeMutablePointer<Float>) {
        let hw = g.h * g.w, ohw = g.oh * g.ow
        Parallel.forRange(g.planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let src = x + plane * hw
                for oy in 0..<g.oh {
                    for ox in 0..<g.ow {
                        let win = avgWindow(g, oy, ox, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
                        var acc: Float = 0
                        if win.y1 > win.y0 && win.x1 > win.x0 {
                            for iy in win.y0..<win.y1 {
                                for jx in win.x0..<win.x1 { acc += src[iy * g.w + jx] }
                            }
                        }
                        out[plane * ohw + oy * g.ow + ox] = acc / win.div
                    }
                }
            }
        }
    }

    static func avgBackward(_ gy: UnsafePointer<Float>, _ g: PoolGeometry, countIncludePad: Bool, divisorOverride: Int?,
                            dx: UnsafeMutablePointer<Float>) {
        let hw = g.h * g.w, ohw = g.oh * g.ow
        Parallel.forRange(g.planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let d = dx + plane * hw
                d.update(repeating: 0, count: hw)
                for oy in 0..<g.oh {
                    for ox in 0..<g.ow {
                        let win = avgWindow(g, oy, ox, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
                        let v = gy[plane * ohw + oy * g.ow + ox] / win.div
                        if win.y1 > win.y0 && win.x1 > win.x0 {
                            for iy in win.y0..<win.y1 {
                                for jx in win.x0..<win.x1 { d[iy * g.w + jx] += v }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adaptive average pooling: window [floor(o·H/OH), ceil((o+1)·H/OH)).
    static func adaptiveRange(_ o: Int, _ outSize: Int, _ inSize: Int) -> (Int, Int) {
        let start = (o * inSize) / outSize
        let end = ((o + 1) * inSize + outSize - 1) / outSize
        return (start, end)
    }

    static func adaptiveAvgForward(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, oh: Int, ow: Int,
                                   out: UnsafeMutablePointer<Float>) {
        let hw = h * w, ohw = oh * ow
        Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let src = x + plane * hw
                for oy in 0..<oh {
                    let (y0, y1) = adaptiveRange(oy, oh, h)
                    for ox in 0..<ow {
                        let (x0, x1) = adaptiveRange(ox, ow, w)
                        var acc: Float = 0
                        for iy in y0..<y1 { for jx in x0..<x1 { acc += src[iy * w + jx] } }
                        out[plane * ohw + oy * ow + ox] = acc / Float((y1 - y0) * (x1 - x0))
                    }
                }
            }
        }
    }

    static func adaptiveAvgBackward(_ gy: UnsafePointer<Float>, planes: Int, h: Int, w: Int, oh: Int, ow: Int,
                                    dx: UnsafeMutablePointer<Float>) {
        let hw = h * w, ohw = oh * ow
        Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { start, end in
            for plane in start..<end {
                let d = dx + plane * hw
                d.update(repeating: 0, count: hw)
                for oy in 0..<oh {
                    let (y0, y1) = adaptiveRange(oy, oh, h)
                    for ox in 0..<ow {
                        let (x0, x1) = adaptiveRange(ox, ow, w)
                        let v = gy[plane * ohw + oy * ow + ox] / Float((y1 - y0) * (x1 - x0))
                        for iy in y0..<y1 { for jx in x0..<x1 { d[iy * w + jx] += v } }
                    }
                }
            }
        }
    }
}
