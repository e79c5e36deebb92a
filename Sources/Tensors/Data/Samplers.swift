import Foundation

/// A sequence of dataset indices for one epoch, like `torch.utils.data.Sampler`.
///
/// Each iteration is a new epoch: a random sampler draws a new order every
/// time it is iterated. `count` is the number of indices per epoch.
public protocol Sampler: Sequence where Element == Int {
    var count: Int { get }
}

/// A sequence of index batches for one epoch (the `batch_sampler` of a `DataLoader`).
public protocol BatchSampling: Sequence where Element == [Int] {
    /// Number of batches per epoch.
    var count: Int { get }
}

/// The indices of one epoch of any sampler, as an array.
func sampleIndices<S: Sampler>(_ s: S) -> [Int] { Array(s) }
func sampleBatches<S: BatchSampling>(_ s: S) -> [[Int]] { Array(s) }

/// A fresh generator for one epoch when none was given: seeded from the
/// global default, as torch's samplers seed theirs from the global RNG.
func epochGenerator(_ g: Tensors.Generator?) -> Tensors.Generator {
    g ?? Tensors.Generator(seed: Tensors.Generator.with(nil) { $0.nextUInt64() })
}

/// `0, 1, …, count − 1` in order, like `SequentialSampler`.
public struct SequentialSampler: Sampler {
    /// Number of items.
    public let count: Int
    /// Indices `0..<count`.
    public init(count: Int) { self.count = Swift.max(0, count) }
    /// The indices of `dataset`.
    public init<D: Dataset>(_ dataset: D) { self.init(count: dataset.count) }
    public func makeIterator() -> Range<Int>.Iterator { (0..<count).makeIterator() }
}

/// Random indices, like `RandomSampler`: a permutation of `0..<n` per epoch
/// (repeated permutations if `numSamples > n`), or `numSamples` independent
/// uniform draws with `replacement: true`.
public struct RandomSampler: Sampler {
    /// Number of items in the dataset (`n`).
    public let dataCount: Int
    /// Draw with replacement.
    public let replacement: Bool
    /// Indices per epoch (`num_samples`, defaults to `n`).
    public let numSamples: Int
    /// The generator the order is drawn from; nil draws a seed from the global default each epoch.
    public let generator: Tensors.Generator?
    /// Indices per epoch.
    public var count: Int { numSamples }

    /// - Throws: `DataError` if `numSamples` is not positive.
    public init(count: Int, replacement: Bool = false, numSamples: Int? = nil, generator: Tensors.Generator? = nil) throws {
        if let n = numSamples, n <= 0 {
            throw DataError(.invalidArgument, "RandomSampler: numSamples should be a positive integer value, but got numSamples=\(n)")
        }
        dataCount = count
        self.replacement = replacement
        self.numSamples = numSamples ?? count
        self.generator = generator
    }

    /// Random indices of `dataset`.
    public init<D: Dataset>(_ dataset: D, replacement: Bool = false, numSamples: Int? = nil, generator: Tensors.Generator? = nil) throws {
        try self.init(count: dataset.count, replacement: replacement, numSamples: numSamples, generator: generator)
    }

    public func makeIterator() -> IndexingIterator<[Int]> {
        let g = epochGenerator(generator)
        let n = dataCount
        var out: [Int] = []
        out.reserveCapacity(numSamples)
        if n == 0 { return out.makeIterator() }
        if replacement {
            for _ in 0..<numSamples { out.append(g.nextInt(below: n)) }
        } else {
            for _ in 0..<(numSamples / n) { out += g.randperm(n) }
            let rest = numSamples % n
            if rest > 0 { out += g.randperm(n)[0..<rest] }
        }
        return out.makeIterator()
    }
}

/// The given indices in a random order each epoch, like `SubsetRandomSampler`.
public struct SubsetRandomSampler: Sampler {
    /// The indices taken from it, in order.
    public let indices: [Int]
    /// The generator orders are drawn from (nil: a seed from the global default each epoch).
    public let generator: Tensors.Generator?
    /// Number of indices.
    public var count: Int { indices.count }

    /// Shuffles `indices` each epoch.
    public init(indices: [Int], generator: Tensors.Generator? = nil) {
        self.indices = indices
        self.generator = generator
    }

    public func makeIterator() -> IndexingIterator<[Int]> {
        let g = epochGenerator(generator)
        return g.randperm(indices.count).map { indices[$0] }.makeIterator()
    }
}

/// Indices `0..<weights.count` drawn with probability proportional to
/// `weights`, like `WeightedRandomSampler` (`torch.multinomial`).
///
/// With `replacement: false` each index appears at most once and
/// `numSamples` may not exceed the number of non-zero weights.
public struct WeightedRandomSampler: Sampler {
    /// The relative weight of each index.
    public let weights: [Double]
    /// Indices per epoch.
    public let numSamples: Int
    /// Draw with replacement.
    public let replacement: Bool
    /// The generator orders are drawn from (nil: a seed from the global default each epoch).
    public let generator: Tensors.Generator?
    /// Indices per epoch.
    public var count: Int { numSamples }

    /// - Throws: `DataError` for negative or non-finite weights, an all-zero
    ///   weight vector, a non-positive `numSamples`, or more samples than
    ///   non-zero weights without replacement.
    public init(weights: [Double], numSamples: Int, replacement: Bool = true, generator: Tensors.Generator? = nil) throws {
        guard numSamples > 0 else {
            throw DataError(.invalidArgument, "WeightedRandomSampler: numSamples should be a positive integer value, but got numSamples=\(numSamples)")
        }
        if let i = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw DataError(.invalidArgument, "WeightedRandomSampler: weights must be finite and non-negative, weight \(i) is \(weights[i])")
        }
        let positive = weights.filter { $0 > 0 }.count
        guard positive > 0 else {
            throw DataError(.invalidArgument, "WeightedRandomSampler: invalid multinomial distribution (sum of weights is zero)")
        }
        if !replacement && numSamples > positive {
            throw DataError(.invalidArgument, "WeightedRandomSampler: cannot sample numSamples=\(numSamples) > \(positive) non-zero weights without replacement")
        }
        self.weights = weights
        self.numSamples = numSamples
        self.replacement = replacement
        self.generator = generator
    }

    /// Weights given as floats.
    public init(weights: [Float], numSamples: Int, replacement: Bool = true, generator: Tensors.Generator? = nil) throws {
        try self.init(weights: weights.map { Double($0) }, numSamples: numSamples, replacement: replacement, generator: generator)
    }

    public func makeIterator() -> IndexingIterator<[Int]> {
        let g = epochGenerator(generator)
        var out: [Int] = []
        out.reserveCapacity(numSamples)
        if replacement {
            var cumulative = [Double](repeating: 0, count: weights.count)
            var acc = 0.0
            for (i, w) in weights.enumerated() { acc += w; cumulative[i] = acc }
            for _ in 0..<numSamples {
                let u = g.nextDouble() * acc
                // First index whose running total exceeds u (skips zero weights).
                var lo = 0, hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] <= u { lo = mid + 1 } else { hi = mid }
                }
                out.append(lo)
            }
        } else {
            // Efraimidis–Spirakis: the k smallest keys −log(u)/w are a weighted
            // sample without replacement, in draw order.
            var keyed: [(Double, Int)] = []
            for (i, w) in weights.enumerated() where w > 0 {
                var u = g.nextDouble()
                while u == 0 { u = g.nextDouble() }
                keyed.append((-Foundation.log(u) / w, i))
            }
            keyed.sort { $0.0 < $1.0 }
            out = keyed.prefix(numSamples).map { $0.1 }
        }
        return out.makeIterator()
    }
}

/// Groups the indices of a sampler into batches, like `BatchSampler`.
public struct BatchSampler: BatchSampling {
    /// The sampler whose indices are grouped.
    public let sampler: any Sampler
    /// Items per batch.
    public let batchSize: Int
    /// Drop the last incomplete batch.
    public let dropLast: Bool

    /// - Throws: `DataError` if `batchSize` is not positive.
    public init(sampler: any Sampler, batchSize: Int, dropLast: Bool) throws {
        guard batchSize > 0 else {
            throw DataError(.invalidArgument, "BatchSampler: batchSize should be a positive integer value, but got batchSize=\(batchSize)")
        }
        self.sampler = sampler
        self.batchSize = batchSize
        self.dropLast = dropLast
    }

    public var count: Int {
        let n = sampler.count
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    public func makeIterator() -> IndexingIterator<[[Int]]> {
        let indices = sampleIndices(sampler)
        var out: [[Int]] = []
        out.reserveCapacity(indices.count / batchSize + 1)
        var start = 0
        while start < indices.count {
            let end = Swift.min(start + batchSize, indices.count)
            if end - start < batchSize && dropLast { break }
            out.append(Array(indices[start..<end]))
            start = end
        }
        return out.makeIterator()
    }
}

/// The share of a dataset one replica (process) sees in distributed
/// training, like `DistributedSampler`.
///
/// Every replica gets `count` indices. Without `dropLast` the index list is
/// padded by repeating its start so it divides evenly; with `dropLast` the
/// tail is dropped. With `shuffle`, the order is a permutation seeded by
/// `seed + epoch` — the same on every replica — so call `setEpoch(_:)` at the
/// start of each epoch for a new order.
public final class DistributedSampler: Sampler {
    /// Number of items in the dataset.
    public let dataCount: Int
    /// Number of replicas (processes) sharing the dataset.
    public let numReplicas: Int
    /// This replica's index in `0..<numReplicas`.
    public let rank: Int
    /// Shuffle with a permutation seeded by `seed + epoch`.
    public let shuffle: Bool
    /// The seed shared by all replicas.
    public let seed: UInt64
    /// Drop the last incomplete batch.
    public let dropLast: Bool
    /// The epoch set by `setEpoch(_:)`.
    public private(set) var epoch = 0
    /// Indices per replica (`num_samples`).
    public let numSamples: Int
    /// `numSamples * numReplicas`.
    public let totalSize: Int
    /// Indices per epoch.
    public var count: Int { numSamples }

    /// - Throws: `DataError` if `numReplicas < 1` or `rank` is outside `0..<numReplicas`.
    public init(count: Int, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) throws {
        guard numReplicas >= 1 else {
            throw DataError(.invalidArgument, "DistributedSampler: numReplicas should be at least 1, but got \(numReplicas)")
        }
        guard rank >= 0 && rank < numReplicas else {
            throw DataError(.invalidArgument, "DistributedSampler: invalid rank \(rank), rank should be in the interval [0, \(numReplicas - 1)]")
        }
        dataCount = count
        self.numReplicas = numReplicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        if dropLast && count % numReplicas != 0 {
            numSamples = (count - numReplicas + numReplicas - 1) / numReplicas
        } else {
            numSamples = (count + numReplicas - 1) / numReplicas
        }
        totalSize = numSamples * numReplicas
    }

    /// The share of `dataset` for replica `rank`.
    public convenience init<D: Dataset>(dataset: D, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) throws {
        try self.init(count: dataset.count, numReplicas: numReplicas, rank: rank, shuffle: shuffle, seed: seed, dropLast: dropLast)
    }

    /// Sets the epoch: with `shuffle`, each epoch has its own order (same on all replicas).
    public func setEpoch(_ epoch: Int) { self.epoch = epoch }

    public func makeIterator() -> IndexingIterator<[Int]> {
        var indices: [Int]
        if shuffle {
            indices = Tensors.Generator(seed: seed &+ UInt64(bitPattern: Int64(epoch))).randperm(dataCount)
        } else {
            indices = Array(0..<dataCount)
        }
        if !dropLast {
            let padding = totalSize - indices.count
            if padding > 0 && !indices.isEmpty {
                let base = indices
                var i = 0
                while indices.count < totalSize {
                    indices.append(base[i % base.count])
                    i += 1
                }
            }
        } else {
            indices = Array(indices.prefix(totalSize))
        }
        return Swift.stride(from: rank, to: totalSize, by: numReplicas).map { indices[$0] }.makeIterator()
    }
}
