import Dispatch
import Foundation

/// Work splitting for kernels: the process's one pool of worker threads.
///
/// Large loops split into at most `Parallel.workers` chunks with
/// `DispatchQueue.concurrentPerform`; small ones run inline, since waking
/// workers costs more than a few thousand floats of work. A loop started
/// from inside a parallel chunk runs inline on that chunk's thread
/// (`isInside`), so nested kernels never ask for more threads than there
/// are cores, and `BLAS.sgemm` does not split a product that already runs
/// on a worker (see `ThreadPolicy`).
public enum Parallel {
    /// Number of worker chunks: the active cores, shared among the processes
    /// of a distributed run on this host (`mpirun`'s `OMPI_COMM_WORLD_LOCAL_SIZE`,
    /// Slurm's `SLURM_NTASKS_PER_NODE`), so ranks do not oversubscribe the cores.
    public static let workers: Int = {
        let env = ProcessInfo.processInfo.environment
        let local = (env["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? env["SLURM_NTASKS_PER_NODE"]).flatMap { Int($0) } ?? 1
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount / Swift.max(1, local))
    }()
    /// Elements below which elementwise loops stay on the calling thread.
    public static let grain = 1 << 15

    /// Whether the calling thread is running a chunk of a parallel loop.
    public static var isInside: Bool { ParallelRegion.isInside }

    /// Calls `body(start, end)` over `0..<count` in contiguous chunks.
    @inline(__always)
    public static func forRange(_ count: Int, grain: Int = Parallel.grain, _ body: (Int, Int) -> Void) {
        let chunks = Swift.min(workers, count / Swift.max(grain, 1))
        if chunks <= 1 || ParallelRegion.isInside {
            body(0, count)
            return
        }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let s = c * per
            let e = Swift.min(count, s + per)
            if s < e { ParallelRegion.run { body(s, e) } }
        }
    }

    /// Calls `body(i)` for each i in `0..<count`, in parallel when `count > 1`.
    @inline(__always)
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || workers == 1 || ParallelRegion.isInside {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count) { i in ParallelRegion.run { body(i) } }
    }
}

/// A per-thread flag: set while the thread runs a chunk of `Parallel`.
enum ParallelRegion {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    static var isInside: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` with the flag set, restoring it afterwards.
    @inline(__always)
    static func run(_ body: () -> Void) {
        let was = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(key, was)
    }
}
