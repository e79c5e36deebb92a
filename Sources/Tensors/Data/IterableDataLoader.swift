import Dispatch
import Foundation

/// Batches of an iterable-style dataset (a stream), like a torch
/// `DataLoader` over an `IterableDataset`: items are taken in stream order,
/// `batchSize` at a time, and collated.
///
/// There is no sampler and no length. With `numWorkers > 0` one Dispatch
/// worker reads and collates ahead of the consumer (at most
/// `numWorkers * prefetchFactor` batches), so a slow stream overlaps with
/// the training step.
public final class IterableDataLoader<Element, Batch>: Sequence {
    public let batchSize: Int
    public let dropLast: Bool
    public let numWorkers: Int
    public let timeout: Double
    public let prefetchFactor: Int
    private let makeStream: () -> AnyIterator<Element>
    private let collate: ([Element]) throws -> Batch

    /// - Throws: `DataError` for a non-positive `batchSize` or negative `numWorkers`/`timeout`.
    public init<S: IterableDataset>(_ dataset: S, batchSize: Int = 1, numWorkers: Int = 0,
                                    collate: @escaping ([Element]) throws -> Batch, dropLast: Bool = false,
                                    timeout: Double = 0, prefetchFactor: Int? = nil) throws where S.Element == Element {
        guard batchSize > 0 else {
            throw DataError(.invalidArgument, "DataLoader: batchSize should be a positive integer value, but got batchSize=\(batchSize)")
        }
        guard numWorkers >= 0 else {
            throw DataError(.invalidArgument, "DataLoader: numWorkers option should be non-negative; use numWorkers=0 to disable workers")
        }
        guard timeout >= 0 else {
            throw DataError(.invalidArgument, "DataLoader: timeout option should be non-negative, got \(timeout)")
        }
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.timeout = timeout
        self.prefetchFactor = prefetchFactor ?? 2
        makeStream = { AnyIterator(dataset.makeIterator()) }
        self.collate = collate
    }

    public func makeIterator() -> IterableDataLoaderIterator<Batch> {
        let stream = makeStream()
        let size = batchSize, drop = dropLast, collate = self.collate
        let nextBatch: () throws -> Batch? = {
            var items: [Element] = []
            items.reserveCapacity(size)
            while items.count < size, let x = stream.next() { items.append(x) }
            if items.isEmpty || (drop && items.count < size) { return nil }
            return try collate(items)
        }
        return IterableDataLoaderIterator(nextBatch: nextBatch, threaded: numWorkers > 0,
                                          ahead: Swift.max(1, numWorkers * prefetchFactor), timeout: timeout)
    }

    /// Runs `body` on every batch; errors from the data or from `body` are thrown.
    public func forEachBatch(_ body: (Batch) throws -> Void) throws {
        let it = makeIterator()
        while let b = try it.nextBatch() { try body(b) }
    }
}

extension IterableDataLoader where Element == (Feature, Int), Batch == (Tensor, IntTensor) {
    /// A loader with the default collate.
    public convenience init<S: IterableDataset>(_ dataset: S, batchSize: Int = 1, numWorkers: Int = 0, dropLast: Bool = false,
                                                timeout: Double = 0, prefetchFactor: Int? = nil) throws where S.Element == Element {
        try self.init(dataset, batchSize: batchSize, numWorkers: numWorkers, collate: defaultCollate,
                      dropLast: dropLast, timeout: timeout, prefetchFactor: prefetchFactor)
    }
}

/// One pass over an `IterableDataLoader`.
public final class IterableDataLoaderIterator<Batch>: IteratorProtocol {
    private let produce: () throws -> Batch?
    private let condition = NSCondition()
    private var queue: [Result<Batch?, Error>] = []
    private var cancelled = false
    private var finished = false
    private let threaded: Bool
    private let ahead: Int
    private let timeout: Double

    init(nextBatch: @escaping () throws -> Batch?, threaded: Bool, ahead: Int, timeout: Double) {
        produce = nextBatch
        self.threaded = threaded
        self.ahead = ahead
        self.timeout = timeout
        if threaded {
            let state = self
            DispatchQueue.global(qos: .userInitiated).async { [weak state] in
                while let s = state, s.step() {}
            }
        }
    }

    /// Produces one batch into the queue (worker side); false when finished.
    private func step() -> Bool {
        condition.lock()
        while !cancelled && queue.count >= ahead { condition.wait() }
        if cancelled { condition.unlock(); return false }
        condition.unlock()
        let r = Result { try produce() }
        condition.lock()
        queue.append(r)
        condition.broadcast()
        condition.unlock()
        switch r {
        case .success(let b): return b != nil
        case .failure: return false
        }
    }

    /// The next batch, nil at the end of the stream.
    public func nextBatch() throws -> Batch? {
        if finished { return nil }
        if !threaded {
            do {
                let b = try produce()
                if b == nil { finished = true }
                return b
            } catch {
                finished = true
                throw error
            }
        }
        condition.lock()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while queue.isEmpty {
            if timeout > 0 {
                if !condition.wait(until: deadline) && queue.isEmpty {
                    condition.unlock()
                    finished = true
                    throw DataError(.timeout, "DataLoader timed out after \(pythonFloat(timeout)) seconds")
                }
            } else {
                condition.wait()
            }
        }
        let r = queue.removeFirst()
        condition.broadcast()
        condition.unlock()
        do {
            let b = try r.get()
            if b == nil { finished = true }
            return b
        } catch {
            finished = true
            throw error
        }
    }

    public func next() -> Batch? {
        do {
            return try nextBatch()
        } catch {
            fatalError("DataLoader: \(error)")
        }
    }

    deinit {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
