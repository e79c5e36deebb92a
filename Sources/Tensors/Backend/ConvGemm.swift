/// Row-blocked GEMMs for layer-sized products (convolution and linear layers).
///
/// OpenBLAS runs a row-major NN product with M·N·K ≤ 100³ on its small-matrix
/// kernels: no packing and no threads. Larger products are packed and, with
/// more than one BLAS thread, threaded; afterwards OpenBLAS's idle workers
/// spin (yielding) for a while and compete with our own Dispatch workers in
/// the next layer. For the sizes of LeNet-style layers (up to a few million
/// multiply-adds) it is faster to cut the product into blocks that stay on
/// the small-matrix path and run the blocks on our own workers. Products
/// whose single row already exceeds the limit go to BLAS unchanged.
enum SmallGemm {
    /// M·N·K limit of OpenBLAS's small-matrix path.
    static let limit = 1_000_000
    /// Below this much work a product runs on the calling thread.
    static let parallelFrom = 400_000

    /// Whether `rows` rows of `perRow` multiply-adds split into blocks of at least 4 rows.
    @inline(__always)
    static func splits(rows: Int, perRow: Int) -> Bool {
        rows * perRow > limit && perRow * 4 <= limit
    }

    /// C[rows×n] = A[rows×k] · B[k×n] + beta·C (row-major, no transposes).
    static func rowsNN(rows: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                       c: UnsafeMutablePointer<Float>, ldc: Int) {
        let perRow = n * k
        guard splits(rows: rows, perRow: perRow) else {
            BLAS.sgemm(transA: false, transB: false, m: rows, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            return
        }
        let blockRows = Swift.max(1, limit / Swift.max(perRow, 1))
        let blocks = (rows + blockRows - 1) / blockRows
        let chunks = rows * perRow < parallelFrom ? 1 : Swift.min(Parallel.workers, blocks)
        let perChunk = (blocks + chunks - 1) / chunks
        Parallel.forEach(chunks) { ch in
            for blk in (ch * perChunk)..<Swift.min(blocks, (ch + 1) * perChunk) {
                let r0 = blk * blockRows, r1 = Swift.min(rows, r0 + blockRows)
                BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: n, k: k, a: a + r0 * lda, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
            }
        }
    }

    /// C[m×n] = A[m×rows] · B[rows×n] (row-major, no transposes), the sum over
    /// `rows` cut into blocks, each worker adding into its own partial.
    static func reduceNN(m: Int, n: Int, rows: Int, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let perRow = m * n
        guard splits(rows: rows, perRow: perRow), ldc == n else {
            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: rows, a: a, lda: lda, b: b, ldb: ldb,
                       c: c, ldc: ldc)
            return
        }
        let blockRows = Swift.max(1, limit / Swift.max(perRow, 1))
        let blocks = (rows + blockRows - 1) / blockRows
        let chunks = rows * perRow < parallelFrom ? 1 : Swift.min(Parallel.workers, blocks)
        let perChunk = (blocks + chunks - 1) / chunks
        let partial = chunks > 1 ? Workspace.acquire((chunks - 1) * m * n) : nil
        Parallel.forEach(chunks) { ch in
            let dst = ch == 0 ? c : (partial?.pointer ?? c) + (ch - 1) * m * n
            var first = true
            for blk in (ch * perChunk)..<Swift.min(blocks, (ch + 1) * perChunk) {
                let r0 = blk * blockRows, r1 = Swift.min(rows, r0 + blockRows)
                BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: r1 - r0, a: a + r0, lda: lda,
                           b: b + r0 * ldb, ldb: ldb, beta: first ? 0 : 1, c: dst, ldc: n)
                first = false
            }
            if first { dst.update(repeating: 0, count: m * n) }
        }
        if let partial {
            for ch in 1..<chunks { ConvKernels.addRow(c, partial.pointer + (ch - 1) * m * n, m * n) }
        }
        withExtendedLifetime(partial) {}
    }
}
