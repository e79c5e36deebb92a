import Foundation
@testable import Tensors

/// N in-process ranks for tests: `ThreadedProcessGroup.run(worldSize:)` runs
/// one closure per rank on its own thread, each with a group whose
/// collectives meet at a shared rendezvous (sums in rank order, so every
/// rank gets the same bits, as MPI gives for two ranks).
final class ThreadedProcessGroup: ProcessGroup {
    let rank: Int
    let worldSize: Int
    private let rendezvous: Rendezvous

    private init(rank: Int, rendezvous: Rendezvous) {
        self.rank = rank
        worldSize = rendezvous.count
        self.rendezvous = rendezvous
    }

    /// Runs `body` on `worldSize` threads, one per rank; returns their results in rank order.
    static func run<T>(worldSize: Int, _ body: @escaping (ThreadedProcessGroup) -> T) -> [T] {
        let r = Rendezvous(worldSize)
        var results = [T?](repeating: nil, count: worldSize)
        let lock = NSLock()
        let done = DispatchGroup()
        for rank in 0..<worldSize {
            done.enter()
            let t = Thread {
                let v = body(ThreadedProcessGroup(rank: rank, rendezvous: r))
                lock.lock(); results[rank] = v; lock.unlock()
                done.leave()
            }
            t.stackSize = 8 << 20
            t.start()
        }
        done.wait()
        return results.map { $0! }
    }

    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let parts = rendezvous.exchange(rank, Array(buffer))
        for i in 0..<buffer.count { buffer[i] = parts.reduce(Float(0)) { $0 + $1[i] } }
    }

    func allReduceSum(_ values: inout [Double]) {
        let exact = rendezvous.exchangeDoubles(rank, values)
        values = values.indices.map { i in exact.reduce(0) { $0 + $1[i] } }
    }

    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> any CollectiveWork {
        allReduceSum(buffer)
        return CompletedWork()
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        let floats = buffer.count / 4
        let mine = (0..<floats).map { buffer.load(fromByteOffset: $0 * 4, as: Float.self) }
        let parts = rendezvous.exchange(rank, mine)
        for i in 0..<floats { buffer.storeBytes(of: parts[root][i], toByteOffset: i * 4, as: Float.self) }
    }

    func allGather(_ values: [Float]) -> [Float] { rendezvous.exchange(rank, values).flatMap { $0 } }

    func barrier() { _ = rendezvous.exchange(rank, []) }

    func abort(_ message: String) -> Never { fatalError("ThreadedProcessGroup: rank \(rank) aborted: \(message)") }
}

/// Where the threads of a `ThreadedProcessGroup` meet for each collective.
final class Rendezvous {
    let count: Int
    private let condition = NSCondition()
    private var generation = 0
    private var arrived = 0
    private var slots: [[Float]]
    private var doubleSlots: [[Double]]
    private var snapshot: [[Float]] = []
    private var doubleSnapshot: [[Double]] = []

    init(_ count: Int) {
        self.count = count
        slots = Array(repeating: [], count: count)
        doubleSlots = Array(repeating: [], count: count)
    }

    /// Every rank's values, once all ranks have called.
    func exchange(_ rank: Int, _ values: [Float]) -> [[Float]] {
        meet { slots[rank] = values } publish: { snapshot = slots } read: { snapshot }
    }

    func exchangeDoubles(_ rank: Int, _ values: [Double]) -> [[Double]] {
        meet { doubleSlots[rank] = values } publish: { doubleSnapshot = doubleSlots } read: { doubleSnapshot }
    }

    private func meet<T>(deposit: () -> Void, publish: () -> Void, read: () -> T) -> T {
        condition.lock(); defer { condition.unlock() }
        let g = generation
        deposit()
        arrived += 1
        if arrived == count {
            publish()
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == g { condition.wait() }
        }
        return read()
    }
}
