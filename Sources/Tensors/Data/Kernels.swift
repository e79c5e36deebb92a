// The data pipeline's inner loops, as closure-free functions over raw
// pointers. `@_optimize(speed)` keeps them fast in debug builds too (the
// tests load and augment real amounts of data).

/// CIFAR records (label bytes, then R, G and B planes of `hw` bytes) →
/// HWC pixels and labels. Returns the index of the first record whose label
/// byte `k` is not below `limits[k]`, with that `k`, or nil.
@_optimize(speed)
func convertCIFARRecords(_ src: UnsafePointer<UInt8>, count n: Int, labelBytes lb: Int, hw: Int,
                         limits: UnsafePointer<Int>, pixels dst: UnsafeMutablePointer<UInt8>,
                         labels: UnsafeMutablePointer<Int>) -> (record: Int, labelByte: Int)? {
    let rs = lb + 3 * hw
    for r in 0..<n {
        let rec = src + r * rs
        for k in 0..<lb {
            let label = Int(rec[k])
            if label >= limits[k] { return (r, k) }
            labels[k * n + r] = label
        }
        let p = rec + lb, g = p + hw, b = p + 2 * hw
        let d = dst + r * 3 * hw
        for i in 0..<hw {
            d[3 * i] = p[i]
            d[3 * i + 1] = g[i]
            d[3 * i + 2] = b[i]
        }
    }
    return nil
}

/// One image (HWC bytes) through row/column index maps (−1: fill) and a
/// per-channel 256-entry table into CHW floats.
@_optimize(speed)
func renderThroughTable(rows: UnsafePointer<Int>, height h: Int, cols: UnsafePointer<Int>, width w: Int,
                        image src: UnsafePointer<UInt8>, srcWidth: Int, channels c: Int,
                        table: UnsafePointer<Float>, fill: UnsafePointer<UInt8>, out: UnsafeMutablePointer<Float>) {
    for k in 0..<c {
        let l = table + k * 256
        let fv = l[Int(fill[k])]
        let plane = out + k * h * w
        for y in 0..<h {
            let dst = plane + y * w
            let sy = rows[y]
            if sy < 0 {
                for x in 0..<w { dst[x] = fv }
                continue
            }
            let row = src + sy * srcWidth * c + k
            for x in 0..<w {
                let sx = cols[x]
                dst[x] = sx < 0 ? fv : l[Int(row[sx * c])]
            }
        }
    }
}

/// One image (HWC bytes) through row/column index maps (−1: fill) into HWC bytes.
@_optimize(speed)
func renderBytes(rows: UnsafePointer<Int>, height h: Int, cols: UnsafePointer<Int>, width w: Int,
                 image src: UnsafePointer<UInt8>, srcWidth: Int, channels c: Int,
                 fill: UnsafePointer<UInt8>, out o: UnsafeMutablePointer<UInt8>) {
    let srcRow = srcWidth * c
    for y in 0..<h {
        let dst = o + y * w * c
        let sy = rows[y]
        if sy < 0 {
            for x in 0..<w { for k in 0..<c { dst[x * c + k] = fill[k] } }
            continue
        }
        let row = src + sy * srcRow
        var x = 0
        while x < w {
            let sx = cols[x]
            if sx < 0 {
                for k in 0..<c { dst[x * c + k] = fill[k] }
                x += 1
                continue
            }
            // Copy a run of consecutive source columns in one go.
            var run = 1
            while x + run < w && cols[x + run] == sx + run { run += 1 }
            (dst + x * c).update(from: row + sx * c, count: run * c)
            x += run
        }
    }
}

/// Float planes through row/column index maps; plane `p` fills with `fill[p % fillCount]`.
@_optimize(speed)
func renderFloatPlanes(rows: UnsafePointer<Int>, height h: Int, cols: UnsafePointer<Int>, width w: Int,
                       planes: Int, src: UnsafePointer<Float>, srcHeight sh: Int, srcWidth sw: Int,
                       fill: UnsafePointer<Float>, fillCount: Int, out o: UnsafeMutablePointer<Float>) {
    for p in 0..<planes {
        let fv = fill[p % fillCount]
        let sp = src + p * sh * sw
        let op = o + p * h * w
        for y in 0..<h {
            let sy = rows[y]
            let dst = op + y * w
            if sy < 0 {
                for x in 0..<w { dst[x] = fv }
                continue
            }
            let row = sp + sy * sw
            for x in 0..<w {
                let sx = cols[x]
                dst[x] = sx < 0 ? fv : row[sx]
            }
        }
    }
}

/// HWC bytes → CHW floats through a 256-entry table (ToTensor's `/ 255`).
@_optimize(speed)
func bytesToPlanes(_ s: UnsafePointer<UInt8>, count hw: Int, channels c: Int,
                   table l: UnsafePointer<Float>, out o: UnsafeMutablePointer<Float>) {
    if c == 3 {
        let o1 = o + hw, o2 = o + 2 * hw
        for i in 0..<hw {
            o[i] = l[Int(s[3 * i])]
            o1[i] = l[Int(s[3 * i + 1])]
            o2[i] = l[Int(s[3 * i + 2])]
        }
    } else {
        for k in 0..<c {
            let op = o + k * hw
            for i in 0..<hw { op[i] = l[Int(s[c * i + k])] }
        }
    }
}

/// `(x − mean) / std` over `planes` planes of `hw` values; plane `p` uses channel `p % channels`.
@_optimize(speed)
func normalizePlanes(_ s: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, planes: Int, hw: Int,
                     channels c: Int, mean: UnsafePointer<Float>, meanCount: Int,
                     std: UnsafePointer<Float>, stdCount: Int) {
    for p in 0..<planes {
        let ch = p % c
        let m = mean[meanCount == 1 ? 0 : ch], sd = std[stdCount == 1 ? 0 : ch]
        let op = o + p * hw, sp = s + p * hw
        for i in 0..<hw { op[i] = (sp[i] - m) / sd }
    }
}
