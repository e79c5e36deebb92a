import CBLAS
import Foundation

/// The only place that calls BLAS.
///
/// Threads follow `ThreadPolicy`: OpenBLAS single-threaded unless the user
/// set `OPENBLAS_NUM_THREADS`, large products split into blocks on the
/// Dispatch workers of `Parallel` instead.
public enum BLAS {
    /// Applies the thread policy once, before the first BLAS call.
    private static let configured: Void = {
        if ThreadPolicy.userBLASThreads == nil {
            openblas_set_num_threads(Int32(ThreadPolicy.defaultBLASThreads))
        }
    }()

    /// Sets OpenBLAS's thread count for the whole process (1 keeps the GEMM
    /// splitting of `ThreadPolicy` on the Dispatch workers).
    public static func setThreads(_ n: Int) {
        _ = configured
        openblas_set_num_threads(Int32(n))
        cachedThreads = Int(openblas_get_num_threads())
    }

    nonisolated(unsafe) private static var cachedThreads: Int = {
        _ = configured
        return Int(openblas_get_num_threads())
    }()

    /// OpenBLAS's current thread count.
    public static var threads: Int { cachedThreads }

    /// The GEMM kernel set OpenBLAS picked for this CPU at load time (its own
    /// runtime dispatch: "SkylakeX" uses AVX-512, "Haswell"/"Zen" AVX2 + FMA).
    public static let coreName: String = {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }()

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major with leading dimensions.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = configured
        let macs = m &* n &* k
        if macs >= ThreadPolicy.gemmSplitMACs, cachedThreads == 1, ThreadPolicy.splitsGemm,
           Parallel.workers > 1, !ParallelRegion.isInside {
            splitSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        rawSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// One product cut into a block of C's columns (or, for narrow C, rows) per
    /// worker, each block a single-threaded OpenBLAS call.
    static func splitSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let w = Parallel.workers
        if n >= 32 * w && n >= m / 4 {
            // Columns in multiples of 16 (OpenBLAS's packing unit on AVX-512; 2 on AVX2).
            let per = ((n + w - 1) / w + 15) & ~15
            let chunks = (n + per - 1) / per
            Parallel.forEach(chunks) { ch in
                let j0 = ch * per, nb = Swift.min(per, n - j0)
                rawSgemm(transA: transA, transB: transB, m: m, n: nb, k: k, alpha: alpha, a: a, lda: lda,
                         b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
            }
        } else if m >= 8 * w {
            let per = ((m + w - 1) / w + 7) & ~7
            let chunks = (m + per - 1) / per
            Parallel.forEach(chunks) { ch in
                let i0 = ch * per, mb = Swift.min(per, m - i0)
                rawSgemm(transA: transA, transB: transB, m: mb, n: n, k: k, alpha: alpha,
                         a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta,
                         c: c + i0 * ldc, ldc: ldc)
            }
        } else {
            rawSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    @inline(__always)
    static func rawSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha · x + y.
    @inline(__always)
    public static func saxpy(_ n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        _ = configured
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }
}
