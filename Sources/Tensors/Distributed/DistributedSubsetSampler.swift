/// A `DistributedSampler` over a subset of a dataset: this rank's share of
/// `indices` (the training split), padded to equal shares as PyTorch pads,
/// reshuffled each epoch by `setEpoch(_:)` with the same order on every rank.
public struct DistributedSubsetSampler: Sampler {
    /// The subset, in its order before shuffling.
    public let indices: [Int]
    /// The sampler choosing positions in `indices`.
    public let sampler: DistributedSampler
    /// Indices per epoch on this rank.
    public var count: Int { sampler.count }

    /// Rank `rank`'s share of `indices` among `numReplicas`.
    /// - Throws: `DataError` for a bad `numReplicas` or `rank`.
    public init(indices: [Int], numReplicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0,
                dropLast: Bool = false) throws {
        self.indices = indices
        sampler = try DistributedSampler(count: indices.count, numReplicas: numReplicas, rank: rank,
                                         shuffle: shuffle, seed: seed, dropLast: dropLast)
    }

    /// Sets the epoch (a new shuffled order, the same on every rank).
    public func setEpoch(_ epoch: Int) { sampler.setEpoch(epoch) }

    public func makeIterator() -> IndexingIterator<[Int]> {
        sampler.map { indices[$0] }.makeIterator()
    }
}
