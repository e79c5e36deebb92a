import Foundation

/// The process group of a run without `mpirun`: one rank, world size 1.
/// Every collective returns at once with its input unchanged, so training
/// code can call them unconditionally (it skips them for speed anyway).
public final class SingleProcessGroup: ProcessGroup {
    /// The one process group of this process.
    public static let shared = SingleProcessGroup()

    /// Rank 0.
    public var rank: Int { 0 }
    /// One process.
    public var worldSize: Int { 1 }

    /// A group of one process.
    public init() {}

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: inout [Double]) {}
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> any CollectiveWork { CompletedWork() }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    public func allGather(_ values: [Float]) -> [Float] { values }
    public func barrier() {}

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }
}
