import Dispatch
import Foundation

/// Batches of a map-style dataset, like `torch.utils.data.DataLoader`.
///
/// A `DataLoader` is a `Sequence` of batches; each iteration is one epoch.
/// `count` is the number of batches (`len(loader)`). The default collate
/// stacks `(Feature, Int)` items into `(images [B, C, H, W], labels [B])`.
///
/// ```swift
/// let train = try CIFAR10(root: "../shared/data", train: true, transform: Compose(
///     RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
///     Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])))
/// let loader = try DataLoader(train, batchSize: 16, shuffle: true, numWorkers: 2)
/// for (images, labels) in loader { … }            // traps on a data error
/// let it = loader.makeIterator()
/// while let (images, labels) = try it.nextBatch() { … }   // throws instead
/// ```
///
/// ## Randomness
/// At the start of an epoch the loader draws a base seed from `generator`
/// (or the global default); the sample at position `p` of the epoch gets a
/// generator seeded from (base seed, `p`). Augmentation is therefore the
/// same for any `numWorkers`, and `manualSeed` / a seeded `generator`
/// reproduces whole epochs (shuffle order included).
///
/// ## Workers
/// With `numWorkers > 0`, batches are built on that many Dispatch workers,
/// at most `numWorkers * prefetchFactor` ahead of the consumer, and handed
/// out in order. An error while building a batch is thrown by `nextBatch()`
/// when that batch is due. With `timeout > 0`, waiting longer than that
/// many seconds for a batch throws `DataError.Kind.timeout`.
///
/// Image datasets whose transform is crops/pads/flips + `ToTensor` +
/// `Normalize` are batched on a fused path that writes pixels straight into
/// the batch tensor; results are identical to the general path.
public final class DataLoader<Element, Batch>: Sequence {
    /// Items per batch (nil when a `batchSampler` was given).
    public let batchSize: Int?
    /// Drop the last incomplete batch.
    public let dropLast: Bool
    /// Worker threads building batches (0: on the calling thread).
    public let numWorkers: Int
    /// Seconds to wait for a worker's batch (0: forever).
    public let timeout: Double
    /// Batches prepared ahead per worker.
    public let prefetchFactor: Int
    /// The generator orders are drawn from (nil: a seed from the global default each epoch).
    public let generator: Tensors.Generator?
    /// The index sampler (nil when a `batchSampler` was given).
    public let sampler: (any Sampler)?
    /// The batches of indices of each epoch.
    public let batchSampler: any BatchSampling
    /// Number of items in the dataset.
    public let datasetCount: Int
    let produce: ([Int], Int, UInt64, WorkerContext) throws -> Batch
    let workerInit: ((Int) -> Void)?
    /// True when batches are built on the fused image path.
    public let isFused: Bool

    /// A loader with a custom `collate` that turns a list of items into a batch.
    ///
    /// - Throws: `DataError.Kind.invalidArgument` for inconsistent options
    ///   (e.g. `sampler` with `shuffle`), as torch raises `ValueError`.
    public convenience init<D: Dataset>(
        _ dataset: D, batchSize: Int? = nil, shuffle: Bool = false, sampler: (any Sampler)? = nil,
        batchSampler: (any BatchSampling)? = nil, numWorkers: Int = 0, collate: @escaping ([Element]) throws -> Batch,
        dropLast: Bool = false, timeout: Double = 0, workerInit: ((Int) -> Void)? = nil,
        generator: Tensors.Generator? = nil, prefetchFactor: Int? = nil
    ) throws where D.Element == Element {
        try self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, batchSampler: batchSampler,
                      numWorkers: numWorkers, collate: collate, dropLast: dropLast, timeout: timeout,
                      workerInit: workerInit, generator: generator, prefetchFactor: prefetchFactor, fused: nil)
    }

    init<D: Dataset>(
        _ dataset: D, batchSize: Int?, shuffle: Bool, sampler: (any Sampler)?,
        batchSampler: (any BatchSampling)?, numWorkers: Int, collate: @escaping ([Element]) throws -> Batch,
        dropLast: Bool, timeout: Double, workerInit: ((Int) -> Void)?,
        generator: Tensors.Generator?, prefetchFactor: Int?,
        fused: (([Int], Int, UInt64, WorkerContext) throws -> Batch)?
    ) throws where D.Element == Element {
        guard numWorkers >= 0 else {
            throw DataError(.invalidArgument, "DataLoader: numWorkers option should be non-negative; use numWorkers=0 to disable workers")
        }
        guard timeout >= 0 else {
            throw DataError(.invalidArgument, "DataLoader: timeout option should be non-negative, got \(timeout)")
        }
        if timeout > 0 && numWorkers == 0 {
            throw DataError(.invalidArgument, "DataLoader: timeout only applies with workers; set numWorkers > 0 or timeout to 0")
        }
        if let p = prefetchFactor {
            guard numWorkers > 0 else {
                throw DataError(.invalidArgument, "DataLoader: prefetchFactor option could only be specified with workers; let numWorkers > 0 or set prefetchFactor to nil")
            }
            guard p > 0 else {
                throw DataError(.invalidArgument, "DataLoader: prefetchFactor should be positive, got \(p)")
            }
        }
        if sampler != nil && shuffle {
            throw DataError(.invalidArgument, "DataLoader: sampler option is mutually exclusive with shuffle")
        }
        if let bs = batchSampler {
            if batchSize != nil || shuffle || sampler != nil || dropLast {
                throw DataError(.invalidArgument, "DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast")
            }
            self.batchSampler = bs
            self.sampler = nil
            self.batchSize = nil
        } else {
            let size = batchSize ?? 1
            let s: any Sampler = try sampler ?? (shuffle ? RandomSampler(count: dataset.count, generator: generator)
                                                    : SequentialSampler(count: dataset.count))
            self.sampler = s
            self.batchSampler = try BatchSampler(sampler: s, batchSize: size, dropLast: dropLast)
            self.batchSize = size
        }
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.timeout = timeout
        self.prefetchFactor = prefetchFactor ?? 2
        self.generator = generator
        self.workerInit = workerInit
        datasetCount = dataset.count
        isFused = fused != nil
        if let fused {
            produce = fused
        } else {
            produce = { indices, first, base, ctx in
                var items: [Element] = []
                items.reserveCapacity(indices.count)
                let g = ctx.generator
                for (j, i) in indices.enumerated() {
                    g.manualSeed(sampleSeed(base: base, position: first + j))
                    items.append(try dataset[i, generator: g])
                }
                return try collate(items)
            }
        }
    }

    /// Number of batches per epoch (`len(loader)`).
    public var count: Int { batchSampler.count }

    public var underestimatedCount: Int { count }

    /// Starts an epoch.
    public func makeIterator() -> DataLoaderIterator<Batch> { makeIterator(skipping: 0) }

    /// Starts an epoch at batch `skipped` (0-based): the same random draws as
    /// `makeIterator()` (order, base seed), so the batches handed out are the
    /// ones an iterator from the same generator state gives after `skipped`
    /// calls, but the skipped ones are never built. For resuming mid-epoch.
    public func makeIterator(skipping skipped: Int) -> DataLoaderIterator<Batch> {
        let base = Tensors.Generator.with(generator) { $0.nextUInt64() }
        let batches = sampleBatches(batchSampler)
        return DataLoaderIterator(batches: batches, first: skipped, baseSeed: base, produce: produce,
                                  numWorkers: numWorkers, prefetch: numWorkers * prefetchFactor,
                                  timeout: timeout, workerInit: workerInit)
    }

    /// Runs `body` on every batch of one epoch; errors from the data or from `body` are thrown.
    public func forEachBatch(_ body: (Batch) throws -> Void) throws {
        let it = makeIterator()
        while let b = try it.nextBatch() { try body(b) }
    }
}

extension DataLoader where Element == (Feature, Int), Batch == (Tensor, IntTensor) {
    /// A loader with the default collate: images stacked into `[B, C, H, W]`, labels into `[B]`.
    public convenience init<D: Dataset>(
        _ dataset: D, batchSize: Int? = nil, shuffle: Bool = false, sampler: (any Sampler)? = nil,
        batchSampler: (any BatchSampling)? = nil, numWorkers: Int = 0,
        dropLast: Bool = false, timeout: Double = 0, workerInit: ((Int) -> Void)? = nil,
        generator: Tensors.Generator? = nil, prefetchFactor: Int? = nil
    ) throws where D.Element == Element {
        var fused: (([Int], Int, UInt64, WorkerContext) throws -> (Tensor, IntTensor))?
        if let src = (dataset as? FusableImageDataset)?.fusedImageSource(), let batcher = FusedBatcher(src) {
            fused = { indices, first, base, ctx in
                try batcher.batch(indices, firstPosition: first, baseSeed: base, context: ctx)
            }
        }
        try self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, batchSampler: batchSampler,
                      numWorkers: numWorkers, collate: defaultCollate, dropLast: dropLast, timeout: timeout,
                      workerInit: workerInit, generator: generator, prefetchFactor: prefetchFactor, fused: fused)
    }
}

extension DataLoader where Element == [Tensor], Batch == [Tensor] {
    /// A loader over a `TensorDataset`: each tensor's rows stacked into one batch tensor.
    public convenience init<D: Dataset>(
        _ dataset: D, batchSize: Int? = nil, shuffle: Bool = false, sampler: (any Sampler)? = nil,
        batchSampler: (any BatchSampling)? = nil, numWorkers: Int = 0,
        dropLast: Bool = false, timeout: Double = 0, workerInit: ((Int) -> Void)? = nil,
        generator: Tensors.Generator? = nil, prefetchFactor: Int? = nil
    ) throws where D.Element == Element {
        try self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, batchSampler: batchSampler,
                      numWorkers: numWorkers, collate: defaultCollate, dropLast: dropLast, timeout: timeout,
                      workerInit: workerInit, generator: generator, prefetchFactor: prefetchFactor, fused: nil)
    }
}

// MARK: - Collate

/// Stacks equal-shape tensors along a new first dimension, like `torch.stack`.
/// - Throws: `DataError` naming the first entry whose shape differs.
public func stackTensors(_ tensors: [Tensor]) throws -> Tensor {
    guard let first = tensors.first else {
        throw DataError(.invalidArgument, "stack expects a non-empty list of tensors")
    }
    let shape = first.shape
    for (j, t) in tensors.enumerated() where t.shape != shape {
        throw DataError(.badFormat, "stack expects each tensor to be equal size, but got \(shape) at entry 0 and \(t.shape) at entry \(j)")
    }
    let n = first.count
    return Tensor(shape: [tensors.count] + shape) { out in
        guard let o = out.baseAddress else { return }
        for (j, t) in tensors.enumerated() {
            t.withUnsafeBufferPointer { src in
                if let s = src.baseAddress { (o + j * n).update(from: s, count: n) }
            }
        }
    }
}

/// The default collate for `(Feature, Int)` items: tensors stacked into
/// `[B, …]`, labels into an `IntTensor` of shape `[B]`.
/// - Throws: `DataError` if an item is still an `Image` (add `ToTensor()`)
///   or the tensors' shapes differ.
public func defaultCollate(_ items: [(Feature, Int)]) throws -> (Tensor, IntTensor) {
    var tensors: [Tensor] = []
    tensors.reserveCapacity(items.count)
    for (j, item) in items.enumerated() {
        guard case .tensor(let t) = item.0 else {
            throw DataError(.transform, "default collate: batch must contain tensors, found \(item.0.summary) at entry \(j); add ToTensor() to the dataset's transform")
        }
        tensors.append(t)
    }
    return (try stackTensors(tensors), IntTensor(items.map { $0.1 }))
}

/// The default collate for `[Tensor]` items (a `TensorDataset`): each position stacked.
public func defaultCollate(_ items: [[Tensor]]) throws -> [Tensor] {
    guard let width = items.first?.count else { return [] }
    guard items.allSatisfy({ $0.count == width }) else {
        throw DataError(.badFormat, "default collate: each element in the batch should be of equal size")
    }
    return try (0..<width).map { k in try stackTensors(items.map { $0[k] }) }
}

// MARK: - Iterator

/// One epoch of a `DataLoader`.
///
/// `nextBatch()` throws data errors; `next()` (used by `for … in`) stops the
/// process with the error's message instead, as an uncaught exception does in
/// Python. Dropping the iterator stops its workers.
public final class DataLoaderIterator<Batch>: IteratorProtocol {
    private let batches: [[Int]]
    private let positions: [Int]
    private let baseSeed: UInt64
    private let produce: ([Int], Int, UInt64, WorkerContext) throws -> Batch
    private var nextIndex = 0
    private var failed = false
    private let context = WorkerContext()
    private let pool: WorkerPool<Batch>?
    private let timeout: Double

    /// The epoch's `batches` from batch `first` on (sample positions still count from the epoch's start).
    init(batches all: [[Int]], first: Int = 0, baseSeed: UInt64,
         produce: @escaping ([Int], Int, UInt64, WorkerContext) throws -> Batch,
         numWorkers: Int, prefetch: Int, timeout: Double, workerInit: ((Int) -> Void)?) {
        var acc = 0
        let allPositions = all.map { b in defer { acc += b.count }; return acc }
        let start = Swift.min(Swift.max(first, 0), all.count)
        batches = Array(all[start...])
        positions = Array(allPositions[start...])
        self.baseSeed = baseSeed
        self.produce = produce
        self.timeout = timeout
        if numWorkers > 0 && !batches.isEmpty {
            let b = batches, p = positions
            pool = WorkerPool(total: batches.count, workers: numWorkers, ahead: Swift.max(prefetch, 1),
                              workerInit: workerInit) { job, ctx in
                try produce(b[job], p[job], baseSeed, ctx)
            }
        } else {
            pool = nil
        }
    }

    /// Number of batches in this epoch.
    public var count: Int { batches.count }

    /// The next batch, nil at the end of the epoch.
    /// - Throws: the error raised while building the batch, or a timeout.
    public func nextBatch() throws -> Batch? {
        guard !failed, nextIndex < batches.count else { return nil }
        let k = nextIndex
        nextIndex += 1
        do {
            if let pool { return try pool.take(k, timeout: timeout) }
            return try produce(batches[k], positions[k], baseSeed, context)
        } catch {
            failed = true
            pool?.cancel()
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

    deinit { pool?.cancel() }
}

/// Worker threads on Dispatch building batches `0..<total` ahead of the
/// consumer, at most `ahead` batches claimed and not yet consumed.
///
/// A counting semaphore holds the free prefetch slots; each batch has its
/// own semaphore the consumer waits on, so a finished batch wakes only the
/// consumer and a consumed one only one worker.
final class WorkerPool<Batch> {
    private let lock = NSLock()
    private var nextJob = 0
    private var cancelled = false
    private let total: Int
    private let workers: Int
    private let space: DispatchSemaphore
    private let ready: [DispatchSemaphore]
    private let results: UnsafeMutablePointer<Result<Batch, Error>?>

    init(total: Int, workers: Int, ahead: Int, workerInit: ((Int) -> Void)?,
         work: @escaping (Int, WorkerContext) throws -> Batch) {
        self.total = total
        self.workers = workers
        // Created at 0 and raised: libdispatch traps when a semaphore is freed
        // below its initial value (here, slots still claimed at cancellation).
        space = DispatchSemaphore(value: 0)
        for _ in 0..<ahead { space.signal() }
        ready = (0..<total).map { _ in DispatchSemaphore(value: 0) }
        results = UnsafeMutablePointer<Result<Batch, Error>?>.allocate(capacity: total)
        results.initialize(repeating: nil, count: total)
        let queue = DispatchQueue(label: "workbench.dataloader", qos: .userInitiated, attributes: .concurrent)
        for w in 0..<workers {
            queue.async { [self] in
                workerInit?(w)
                let ctx = WorkerContext()
                while let job = claim() {
                    results[job] = Result { try work(job, ctx) }
                    ready[job].signal()
                }
            }
        }
    }

    /// The next job number once a prefetch slot is free; nil when done or cancelled.
    private func claim() -> Int? {
        space.wait()
        lock.lock()
        defer { lock.unlock() }
        if cancelled || nextJob >= total {
            space.signal()
            return nil
        }
        nextJob += 1
        return nextJob - 1
    }

    /// Waits for batch `k` (the consumer takes them in order).
    func take(_ k: Int, timeout: Double) throws -> Batch {
        if timeout > 0 {
            if ready[k].wait(timeout: .now() + timeout) == .timedOut {
                throw DataError(.timeout, "DataLoader timed out after \(pythonFloat(timeout)) seconds waiting for batch \(k)")
            }
        } else {
            ready[k].wait()
        }
        let r = results[k]
        results[k] = nil
        space.signal()
        guard let r else { throw DataError(.io, "DataLoader: batch \(k) is missing") }
        return try r.get()
    }

    /// Stops the workers after the batches they are building.
    func cancel() {
        lock.lock()
        let wasCancelled = cancelled
        cancelled = true
        lock.unlock()
        if !wasCancelled { for _ in 0..<workers { space.signal() } }
    }

    deinit {
        results.deinitialize(count: total)
        results.deallocate()
    }
}
