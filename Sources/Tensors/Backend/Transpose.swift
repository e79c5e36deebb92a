/// Cache-blocked transposes of row-major float buffers, for kernels that
/// write a matrix out transposed before a GEMM (`linear`'s backward and its
/// small-batch forward).
///
/// A plain double loop writes one of the two sides with a stride of a whole
/// row, touching a new cache line per element once the matrix outgrows L1;
/// tiles of 32 × 32 keep both sides' lines resident. Bit-identical to the
/// plain loop (it only copies, or adds once per element).
enum Transpose {
    static let tile = 32

    /// Calls `body(rows r0..<r1, cols c0..<c1)` for each tile of a `rows × cols` matrix.
    @inline(__always)
    private static func forEachTile(rows: Int, cols: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        for r0 in stride(from: 0, to: rows, by: tile) {
            for c0 in stride(from: 0, to: cols, by: tile) {
                body(r0..<Swift.min(rows, r0 + tile), c0..<Swift.min(cols, c0 + tile))
            }
        }
    }

    /// dst[c·rows + r] = src[r·cols + c] for a `rows × cols` source.
    static func copy(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        forEachTile(rows: rows, cols: cols) { rs, cs in
            for r in rs { for c in cs { dst[c * rows + r] = src[r * cols + c] } }
        }
    }

    /// dst[r·cols + c] (+)= src[c·rows + r]: writes (or, with `accumulate`, adds)
    /// the transpose of a `cols × rows` source into a `rows × cols` destination.
    static func store(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>,
                      accumulate: Bool) {
        guard accumulate else { return copy(src, rows: cols, cols: rows, into: dst) }
        forEachTile(rows: rows, cols: cols) { rs, cs in
            for r in rs { for c in cs { dst[r * cols + c] += src[c * rows + r] } }
        }
    }
}
