/// The 2×2 stride-2 max pool, the most common pooling (LeNet, VGG, the fused
/// conv→ReLU→pool epilogue). PyTorch's rules — the first maximum in row-major
/// order wins ties, NaN wins — cost a NaN test per comparison, which more than
/// doubles the loop's time, so a plane is pooled with plain comparisons while
/// summing each window (a NaN makes the sum NaN), and only a plane where a sum
/// came out NaN is pooled again with the exact loop. Both give the same output.
extension PoolKernels {
    /// 2×2 stride-2 max pooling of one plane: output (py, px) for py < `ph`,
    /// px < `pw` reads rows 2py and 2py+1 (`rowStride` apart in memory),
    /// columns 2px and 2px+1. The output is the maximum plus `bias` (a zero
    /// bias is not added, so −0 stays −0); with `relu`
    /// it is then clamped at 0 (NaN passes, as `relu` lets it) and the index of a
    /// clamped output is −1. Indices are positions in a plane whose rows are
    /// `rowLength` long (the unpadded conv output, or the pooled input itself).
    @inline(__always)
    static func max2x2Rows(_ src: UnsafePointer<Float>, rowStride: Int, rowLength: Int, ph: Int, pw: Int,
                           bias: Float, relu: Bool,
                           out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        guard ph > 0 && pw > 0 else { return }
        // `relu` as a constant in each call, so the plain loop is compiled without the test.
        let suspect = !bias.isFinite
            || (relu ? max2x2RowsPlain(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias,
                                       relu: true, out: out, indices: indices)
                     : max2x2RowsPlain(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias,
                                       relu: false, out: out, indices: indices))
        if suspect {
            max2x2RowsExact(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias, relu: relu,
                            out: out, indices: indices)
        }
    }

    /// The loop with plain `>` comparisons, which keep the first maximum on ties
    /// as the exact loop does, and differs from it only in windows holding a
    /// NaN. Returns whether a window's sum was NaN: a NaN is in the plane (or
    /// infinities of both signs, or an overflow both ways — false alarms that
    /// only cost the exact loop).
    @inline(__always)
    static func max2x2RowsPlain(_ src: UnsafePointer<Float>, rowStride: Int, rowLength: Int, ph: Int, pw: Int,
                                bias: Float, relu: Bool,
                                out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) -> Bool {
        var suspect: UInt32 = 0
        for py in 0..<ph {
            let r0 = src + 2 * py * rowStride, r1 = r0 + rowStride
            let base = 2 * py * rowLength
            let orow = out + py * pw, irow = indices + py * pw
            for px in 0..<pw {
                let c = 2 * px
                let a = r0[c], b = r0[c + 1], d = r1[c], e = r1[c + 1]
                let sum = (a + b) + (d + e)
                suspect |= sum != sum ? 1 : 0
                var best = a, bi = base + c
                if b > best { best = b; bi = base + c + 1 }
                if d > best { best = d; bi = base + rowLength + c }
                if e > best { best = e; bi = base + rowLength + c + 1 }
                let v = bias == 0 ? best : best + bias
                if relu {
                    orow[px] = v > 0 ? v : 0
                    irow[px] = v > 0 ? Int32(bi) : -1
                } else {
                    orow[px] = v
                    irow[px] = Int32(bi)
                }
            }
        }
        return suspect != 0
    }

    /// The loop with PyTorch's NaN rule in every comparison, eight windows at a time.
    static func max2x2RowsExact(_ src: UnsafePointer<Float>, rowStride: Int, rowLength: Int, ph: Int, pw: Int,
                                bias: Float, relu: Bool,
                                out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        for py in 0..<ph {
            let r0 = src + 2 * py * rowStride, r1 = r0 + rowStride
            let base = 2 * py * rowLength
            let orow = out + py * pw, irow = indices + py * pw
            var px0 = 0
            while px0 + 8 <= pw {
                let (best, bi) = max2x2(r0 + 2 * px0, r1 + 2 * px0, column: Int32(2 * px0), rowLength: rowLength)
                let v = bias == 0 ? best : best + bias
                let dead = relu ? .!((v .> 0) .| (v .!= v)) : SIMDMask<SIMD8<Int32>>(repeating: false)
                UnsafeMutableRawPointer(orow + px0).storeBytes(of: v.replacing(with: 0, where: dead), as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(irow + px0).storeBytes(of: (bi &+ Int32(base)).replacing(with: -1, where: dead),
                                                               as: SIMD8<Int32>.self)
                px0 += 8
            }
            for px in px0..<pw {
                let c = 2 * px
                var best = r0[c], bi = base + c
                if r0[c + 1] > best || r0[c + 1].isNaN { best = r0[c + 1]; bi = base + c + 1 }
                if r1[c] > best || r1[c].isNaN { best = r1[c]; bi = base + rowLength + c }
                if r1[c + 1] > best || r1[c + 1].isNaN { best = r1[c + 1]; bi = base + rowLength + c + 1 }
                let v = bias == 0 ? best : best + bias
                let live = !relu || v > 0 || v.isNaN
                orow[px] = live ? v : 0
                irow[px] = live ? Int32(bi) : -1
            }
        }
    }

    /// Eight 2×2 windows side by side: columns `column ..< column + 16` of rows
    /// `r0` and `r1` (`rowLength` apart in the plane). Returns each window's
    /// maximum and its in-plane index relative to `r0`'s row start, with the
    /// scalar loop's rules: the first maximum in row-major order wins ties, NaN wins.
    @inline(__always)
    static func max2x2(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, column: Int32, rowLength: Int)
        -> (SIMD8<Float>, SIMD8<Int32>) {
        let top = UnsafeRawPointer(r0).loadUnaligned(as: SIMD16<Float>.self)
        let bottom = UnsafeRawPointer(r1).loadUnaligned(as: SIMD16<Float>.self)
        let lane = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ column
        let w = Int32(rowLength)
        var best = top.evenHalf, bi = lane
        @inline(__always) func consider(_ v: SIMD8<Float>, _ offset: Int32) {
            let take = (v .> best) .| (v .!= v)
            best.replace(with: v, where: take)
            bi.replace(with: lane &+ offset, where: take)
        }
        consider(top.oddHalf, 1)
        consider(bottom.evenHalf, w)
        consider(bottom.oddHalf, w + 1)
        return (best, bi)
    }
}
