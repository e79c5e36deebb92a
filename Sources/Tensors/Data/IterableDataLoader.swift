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
    /// Items per batch.
    public let batchSize: Int
    /// Drop the last incomplete batch.
    public let dropLast: Bool
    /// Worker threads building batches (0: on the calling thread).
    public let numWorkers: Int
    /// Seconds to wait for a worker's batch (0: forever).
    public let timeout: Double
    /// Batches prepared ahead per worker.
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
    private let buffer: StreamBuffer<Batch>?
    private var finished = false
    private let timeout: Double

    init(nextBatch: @escaping () throws -> Batch?, threaded: Bool, ahead: Int, timeout: Double) {
        produce = nextBatch
        self.timeout = timeout
        if threaded {
            let buffer = StreamBuffer<Batch>(ahead: ahead)
            self.buffer = buffer
            // The worker holds the buffer, not the iterator: dropping the iterator cancels it.
            DispatchQueue.global(qos: .userInitiated).async {
                while buffer.waitForSpace() {
                    let r = Result { try nextBatch() }
                    buffer.put(r)
                    if case .success(let b) = r, b != nil { continue }
                    return
                }
            }
        } else {
            buffer = nil
        }
    }

    /// The next batch, nil at the end of the stream.
    /// - Throws: the error raised while reading or collating, or a timeout.
    public func nextBatch() throws -> Batch? {
        if finished { return nil }
        do {
            let b = try buffer.map { try $0.take(timeout: timeout).get() } ?? produce()
            if b == nil { finished = true }
            return b
        } catch {
            finished = true
            buffer?.cancel()
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

    deinit { buffer?.cancel() }
}

/// Batches read ahead from a stream by one worker, at most `ahead` waiting.
final class StreamBuffer<Batch> {
    private let condition = NSCondition()
    private var queue: [Result<Batch?, Error>] = []
    private var cancelled = false
    private let ahead: Int

    init(ahead: Int) { self.ahead = ahead }

    /// Waits until there is room; false once cancelled.
    func waitForSpace() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && queue.count >= ahead { condition.wait() }
        return !cancelled
    }

    func put(_ r: Result<Batch?, Error>) {
        condition.lock()
        queue.append(r)
        condition.broadcast()
        condition.unlock()
    }

    func take(timeout: Double) throws -> Result<Batch?, Error> {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while queue.isEmpty {
            if timeout > 0 {
                if !condition.wait(until: deadline) && queue.isEmpty {
                    throw DataError(.timeout, "DataLoader timed out after \(pythonFloat(timeout)) seconds")
                }
            } else {
                condition.wait()
            }
        }
        let r = queue.removeFirst()
        condition.broadcast()
        return r
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
