import Foundation

/// Who runs the multiply-adds: one pool of threads, never two spinning on the same cores.
///
/// Default (no `OPENBLAS_NUM_THREADS` in the environment): OpenBLAS runs
/// single-threaded and every parallel loop — image chunks of a convolution,
/// elementwise kernels, and the column (or row) blocks of a GEMM large
/// enough to be worth splitting — runs on the Dispatch workers of
/// `Parallel`, one per core. With OpenBLAS's own threads as well, its
/// workers spin (and yield, in system time) after each product while the
/// Dispatch workers run the next op, and vice versa: on a 2-core AMD EPYC
/// that halved LeNet5's throughput (issue #9); measurements on this
/// project's machines are in BENCHMARKS.md ("Thread policy").
///
/// A user-set `OPENBLAS_NUM_THREADS` is respected: with more than one BLAS
/// thread, GEMMs go to OpenBLAS whole and convolutions keep their products
/// per image on one thread when OpenBLAS can use its own threads on them.
/// `WORKBENCH_GEMM_SPLIT=0` turns the GEMM splitting off (for measurements).
public enum ThreadPolicy {
    /// `OPENBLAS_NUM_THREADS` as the user set it, if they did.
    public static let userBLASThreads: Int? = {
        guard let s = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] else { return nil }
        return Int(s.trimmingCharacters(in: .whitespaces))
    }()

    /// OpenBLAS's thread count when the user did not choose one.
    public static let defaultBLASThreads = 1

    /// Multiply-adds (m·n·k) from which a GEMM called outside a parallel loop
    /// is cut into one block per worker. Below it, waking a second core costs
    /// more than it saves (measured with `bench core --only matmul`).
    nonisolated(unsafe) public static var gemmSplitMACs = 1 << 21

    /// Whether large GEMMs are split across the Dispatch workers (on by default;
    /// off when OpenBLAS has threads of its own or `WORKBENCH_GEMM_SPLIT=0`).
    nonisolated(unsafe) public static var splitsGemm: Bool = {
        ProcessInfo.processInfo.environment["WORKBENCH_GEMM_SPLIT"] != "0"
    }()

    /// The vector instruction set the Swift kernels were compiled for (the
    /// shipped build targets baseline x86-64, so `SIMD8<Float>` runs as two SSE halves).
    public static var compiledVectorISA: String {
        #if arch(x86_64)
        return "baseline x86-64 (SSE2)"
        #else
        return "the target's baseline"
        #endif
    }

    /// One line for benchmark output: CPU, vector kernels, threads.
    public static var summary: String {
        let cpu = CPUInfo.current
        let blas = BLAS.threads
        let source = userBLASThreads != nil ? "OPENBLAS_NUM_THREADS" : "default"
        let split = (blas == 1 && splitsGemm && Parallel.workers > 1)
            ? "GEMMs ≥ \(gemmSplitMACs / 1_000_000)M MACs split on the workers" : "GEMMs unsplit"
        return "\(cpu); OpenBLAS \(BLAS.coreName) GEMM kernels; Swift SIMD kernels for \(compiledVectorISA); "
            + "\(Parallel.workers) Dispatch workers; OpenBLAS threads \(blas) (\(source)); \(split)"
    }
}
