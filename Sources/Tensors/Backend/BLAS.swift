import CBLAS
import Foundation

/// The only place that calls BLAS.
///
/// ## Threads
/// OpenBLAS gets one thread per core, the same count as the Dispatch workers
/// of `Parallel`. A GEMM and a Dispatch-parallel elementwise loop never run at
/// the same time on one calling thread (each call returns before the next op
/// starts), so each may use every core; OpenBLAS's idle workers yield while
/// Dispatch runs. Measured on 2 cores (BENCHMARKS.md, `bench core --only
/// mixed`): an MLP training step takes 24 ms with 2 BLAS threads and 35 ms
/// with 1. `OPENBLAS_NUM_THREADS` in the environment, or `setThreads`, wins.
public enum BLAS {
    /// Applies the thread policy once, before the first BLAS call.
    private static let configured: Void = {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            openblas_set_num_threads(Int32(Parallel.workers))
        }
    }()

    /// Sets OpenBLAS's thread count for the whole process.
    public static func setThreads(_ n: Int) {
        _ = configured
        openblas_set_num_threads(Int32(n))
    }

    /// OpenBLAS's current thread count.
    public static var threads: Int {
        _ = configured
        return Int(openblas_get_num_threads())
    }

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major with leading dimensions.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = configured
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
