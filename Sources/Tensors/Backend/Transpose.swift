/// Cache-blocked transposes of row-major float buffers, for kernels that
/// write a matrix out transposed before a GEMM (`linear`'s backward and its
/// small-batch forward).
///
/// A plain double loop writes one of the two sides with a stride of a whole
/// row, touching a new cache line per element once the matrix outgrows L1;
/// tiles of 32 × 32 keep both sides' lines resident. Bit-identical to the
/// plain loop (it only copies).
enum Transpose {
    static let tile = 32

    /// dst[c·rows + r] = src[r·cols + c] for a `rows × cols` source.
    static func copy(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        var r0 = 0
        while r0 < rows {
            let r1 = Swift.min(rows, r0 + tile)
            var c0 = 0
            while c0 < cols {
                let c1 = Swift.min(cols, c0 + tile)
                for r in r0..<r1 {
                    let s = src + r * cols
                    for c in c0..<c1 { dst[c * rows + r] = s[c] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }

    /// dst[r·cols + c] (+)= src[c·rows + r]: writes (or, with `accumulate`, adds)
    /// the transpose of a `cols × rows` source into a `rows × cols` destination.
    static func store(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>,
                      accumulate: Bool) {
        var r0 = 0
        while r0 < rows {
            let r1 = Swift.min(rows, r0 + tile)
            var c0 = 0
            while c0 < cols {
                let c1 = Swift.min(cols, c0 + tile)
                for r in r0..<r1 {
                    let d = dst + r * cols
                    if accumulate {
                        for c in c0..<c1 { d[c] += src[c * rows + r] }
                    } else {
                        for c in c0..<c1 { d[c] = src[c * rows + r] }
                    }
                }
                c0 = c1
            }
            r0 = r1
        }
    }
}
