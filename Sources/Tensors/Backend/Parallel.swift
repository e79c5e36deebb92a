import Dispatch
import Foundation

/// Work splitting for kernels.
///
/// Large loops split into at most `Parallel.workers` chunks with
/// `DispatchQueue.concurrentPerform`; small ones run inline, since waking
/// workers costs more than a few thousand floats of work.
public enum Parallel {
    /// Number of worker chunks (the number of active cores).
    public static let workers = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Elements below which elementwise loops stay on the calling thread.
    public static let grain = 1 << 15

    /// Calls `body(start, end)` over `0..<count` in contiguous chunks.
    @inline(__always)
    public static func forRange(_ count: Int, grain: Int = Parallel.grain, _ body: (Int, Int) -> Void) {
        let chunks = Swift.min(workers, count / Swift.max(grain, 1))
        if chunks <= 1 {
            body(0, count)
            return
        }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let s = c * per
            let e = Swift.min(count, s + per)
            if s < e { body(s, e) }
        }
    }

    /// Calls `body(i)` for each i in `0..<count`, in parallel when `count > 1`.
    @inline(__always)
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
