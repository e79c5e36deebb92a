import Foundation

/// The processes of a data-parallel run and the collectives between them,
/// like `torch.distributed`'s default process group.
///
/// Tensors' training code (`DistributedDataParallel`, `SyncBatchNorm`,
/// metric reduction) talks to this protocol only; the MPI implementation
/// lives in the `WorkbenchMPI` target, linked by the executable, so Tensors
/// has no MPI dependency. A process started without `mpirun` uses
/// `SingleProcessGroup` (world size 1), and the training code skips every
/// collective for it.
///
/// Every rank must call the same collectives in the same order with the same
/// counts. A collective that does not complete within the group's timeout
/// (another rank failed or stalled) ends the whole job with a message naming
/// the collective and the rank, rather than hanging: collectives never
/// return an error to the caller.
///
/// ```swift
/// var values: [Float] = [1, 2, 3]
/// group.allReduceSum(&values)          // sums over all ranks, in place
/// let all = group.allGather([Float(group.rank)])   // [0, 1, …, N−1]
/// ```
public protocol ProcessGroup: AnyObject {
    /// This process's index in `0..<worldSize`.
    var rank: Int { get }
    /// Number of processes in the run.
    var worldSize: Int { get }
    /// Sums `buffer` over all ranks, in place; returns when done.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Sums `values` over all ranks in double precision (metric totals), in place.
    func allReduceSum(_ values: inout [Double])
    /// Starts summing `buffer` over all ranks and returns at once; the buffer
    /// must stay alive and untouched until the returned work's `wait()` returns.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> any CollectiveWork
    /// Copies rank `root`'s bytes into `buffer` on every rank.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)
    /// Every rank's `values` (all of the same length), concatenated in rank order.
    func allGather(_ values: [Float]) -> [Float]
    /// Returns when every rank has called it.
    func barrier()
    /// Ends the whole job (every rank) with `message` on standard error.
    func abort(_ message: String) -> Never
}

/// An asynchronous collective in flight (`startAllReduceSum`).
public protocol CollectiveWork: AnyObject {
    /// Blocks until the collective has completed on this rank.
    func wait()
    /// Seconds the collective itself took (from its start on the
    /// communication thread to its completion); 0 before it has completed.
    var seconds: Double { get }
}

extension ProcessGroup {
    /// Whether more than one process takes part (collectives are needed).
    public var isDistributed: Bool { worldSize > 1 }

    /// `rank R of N`, for messages.
    public var rankDescription: String { "rank \(rank) of \(worldSize)" }

    /// Sums `values` over all ranks, in place.
    public func allReduceSum(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { allReduceSum($0) }
    }

    /// Copies rank `root`'s `values` to every rank (all ranks pass the same count).
    public func broadcast(_ values: inout [Float], root: Int = 0) {
        values.withUnsafeMutableBytes { broadcast($0, root: root) }
    }
}

/// A completed collective (world size 1, or a result known at once).
public final class CompletedWork: CollectiveWork {
    /// Completed work.
    public init() {}
    /// Returns at once.
    public func wait() {}
    /// Zero: nothing was exchanged.
    public var seconds: Double { 0 }
}
