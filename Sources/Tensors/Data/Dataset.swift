/// A map-style dataset: `count` items addressed by index, like
/// `torch.utils.data.Dataset` (`__len__` + `__getitem__`).
///
/// Reading an item may apply random transforms; they draw from the generator
/// passed in, so a `DataLoader` that seeds one generator per sample makes an
/// augmented epoch reproducible. `dataset[i]` without a generator draws from
/// a generator forked from the global default (`manualSeed` reproduces it).
///
/// Implementations must allow concurrent reads: a `DataLoader` with workers
/// reads items from several threads at once.
///
/// ```swift
/// struct Squares: Dataset {
///     var count: Int { 100 }
///     subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
///         get throws { (.tensor(Tensor([Float(index * index)])), index % 2) }
///     }
/// }
/// ```
public protocol Dataset<Element> {
    associatedtype Element
    /// Number of items (`len(dataset)`).
    var count: Int { get }
    /// Item `index` in `0..<count`; random transforms draw from `generator`.
    subscript(index: Int, generator generator: Generator) -> Element { get throws }
}

extension Dataset {
    /// Item `index`, with random transforms drawing from the global default generator.
    public subscript(index: Int) -> Element {
        get throws {
            let g = Generator.with(nil) { $0.fork() }
            return try self[index, generator: g]
        }
    }

    /// True when the dataset has no items.
    public var isEmpty: Bool { count == 0 }
}

/// Throws `DataError.indexOutOfRange` unless `0 <= index < count`.
@inline(__always)
func checkIndex(_ index: Int, _ count: Int, _ what: String) throws {
    if index < 0 || index >= count {
        throw DataError(.indexOutOfRange, "\(what): index \(index) is out of range for \(count) items")
    }
}

/// An iterable-style dataset, like `torch.utils.data.IterableDataset`: a
/// sequence of items for streams and generated data, without random access.
public protocol IterableDataset<Element>: Sequence {}

/// Datasets the `DataLoader` can batch without calling `subscript` per item:
/// images held as one HWC UInt8 buffer (CIFAR, MNIST, Shapes10) and wrappers
/// that only re-index them (`Subset`).
protocol FusableImageDataset {
    func fusedImageSource() -> FusedImageSource?
}

// MARK: - Type erasure

/// A type-erased map-style dataset.
public struct AnyDataset<Element>: Dataset {
    /// Number of items.
    public let count: Int
    private let get: (Int, Generator) throws -> Element
    private let fused: () -> FusedImageSource?
    /// A description of the wrapped dataset.
    public let name: String

    /// Wraps `base`.
    public init<D: Dataset>(_ base: D) where D.Element == Element {
        count = base.count
        get = { try base[$0, generator: $1] }
        fused = { (base as? FusableImageDataset)?.fusedImageSource() }
        name = "\(base)"
    }

    public subscript(index: Int, generator generator: Generator) -> Element {
        get throws { try get(index, generator) }
    }
}

extension AnyDataset: FusableImageDataset {
    func fusedImageSource() -> FusedImageSource? { fused() }
}

// MARK: - TensorDataset

/// A dataset over tensors that share their first dimension, like
/// `torch.utils.data.TensorDataset`: item `i` is `[t0[i], t1[i], …]`.
///
/// ```swift
/// let ds = try TensorDataset(Tensor.randn([100, 4]), Tensor.randn([100, 1]))
/// let row = try ds[0]   // [Tensor [4], Tensor [1]]
/// ```
public struct TensorDataset: Dataset {
    /// The tensors, contiguous.
    public let tensors: [Tensor]
    /// Number of items.
    public let count: Int

    /// - Throws: `DataError` if the tensors' first dimensions differ or a tensor is 0-dimensional.
    public init(_ tensors: [Tensor]) throws {
        guard let first = tensors.first else {
            throw DataError(.invalidArgument, "TensorDataset: expected at least one tensor")
        }
        for (i, t) in tensors.enumerated() where t.rank == 0 {
            throw DataError(.invalidArgument, "TensorDataset: tensor \(i) is 0-dimensional; expected a first (item) dimension")
        }
        let n = first.shape[0]
        for (i, t) in tensors.enumerated() where t.shape[0] != n {
            throw DataError(.invalidArgument, "TensorDataset: size mismatch between tensors (tensor 0 has \(n) items, tensor \(i) has \(t.shape[0]))")
        }
        self.tensors = tensors.map { $0.contiguous().detach() }
        count = n
    }

    /// A dataset over `tensors` (their first dimensions must agree).
    public init(_ tensors: Tensor...) throws { try self.init(tensors) }

    public subscript(index: Int, generator generator: Generator) -> [Tensor] {
        get throws {
            try checkIndex(index, count, "TensorDataset")
            return tensors.map { t in
                let inner = Array(t.shape.dropFirst())
                let n = shapeCount(inner)
                return Tensor(shape: inner) { buf in
                    buf.baseAddress?.update(from: t.dataPointer + index * n, count: n)
                }
            }
        }
    }
}

/// A classification dataset over a feature tensor and integer labels:
/// item `i` is `(.tensor(features[i]), labels[i])`.
///
/// The Swift counterpart of `TensorDataset(x, y)` with an int64 `y`; its
/// items batch with the default collate into `(Tensor, IntTensor)`.
public struct LabeledTensorDataset: Dataset {
    /// The features, one row per item.
    public let features: Tensor
    /// The class index of each item.
    public let labels: [Int]
    /// Number of items.
    public var count: Int { labels.count }

    /// - Throws: `DataError` if `features.shape[0]` differs from the number of labels.
    public init(_ features: Tensor, labels: IntTensor) throws {
        guard features.rank >= 1, features.shape[0] == labels.count else {
            throw DataError(.invalidArgument, "LabeledTensorDataset: size mismatch (features have shape \(features.shape), labels have \(labels.count) values)")
        }
        self.features = features.contiguous().detach()
        self.labels = labels.values
    }

    public subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            try checkIndex(index, count, "LabeledTensorDataset")
            let inner = Array(features.shape.dropFirst())
            let n = shapeCount(inner)
            let t = Tensor(shape: inner) { buf in buf.baseAddress?.update(from: features.dataPointer + index * n, count: n) }
            return (.tensor(t), labels[index])
        }
    }
}

// MARK: - Subset, ConcatDataset, ChainDataset

/// The items of `dataset` at `indices`, like `torch.utils.data.Subset`.
public struct Subset<Base: Dataset>: Dataset {
    /// The wrapped dataset.
    public let dataset: Base
    /// The indices taken from it, in order.
    public let indices: [Int]
    /// Number of indices.
    public var count: Int { indices.count }

    /// The items of `dataset` at `indices`.
    public init(_ dataset: Base, indices: [Int]) {
        self.dataset = dataset
        self.indices = indices
    }

    public subscript(index: Int, generator generator: Generator) -> Base.Element {
        get throws {
            try checkIndex(index, indices.count, "Subset")
            return try dataset[indices[index], generator: generator]
        }
    }
}

extension Subset: FusableImageDataset {
    func fusedImageSource() -> FusedImageSource? {
        guard var src = (dataset as? FusableImageDataset)?.fusedImageSource() else { return nil }
        if let outer = src.indexMap {
            src.indexMap = indices.map { outer[$0] }
        } else {
            src.indexMap = indices
        }
        return src
    }
}

/// Datasets one after another, like `torch.utils.data.ConcatDataset`.
public struct ConcatDataset<Element>: Dataset {
    /// The datasets, in order.
    public let datasets: [AnyDataset<Element>]
    /// Running totals of the datasets' counts (`cumulative_sizes`).
    public let cumulativeSizes: [Int]
    /// Total number of items.
    public var count: Int { cumulativeSizes.last ?? 0 }

    /// The datasets one after another.
    public init(_ datasets: [AnyDataset<Element>]) {
        self.datasets = datasets
        var total = 0
        cumulativeSizes = datasets.map { total += $0.count; return total }
    }

    /// Datasets of one type one after another.
    public init<D: Dataset>(_ datasets: [D]) where D.Element == Element {
        self.init(datasets.map { AnyDataset($0) })
    }

    public subscript(index: Int, generator generator: Generator) -> Element {
        get throws {
            try checkIndex(index, count, "ConcatDataset")
            // First dataset whose running total exceeds index (bisect_right).
            var lo = 0, hi = cumulativeSizes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulativeSizes[mid] <= index { lo = mid + 1 } else { hi = mid }
            }
            let start = lo == 0 ? 0 : cumulativeSizes[lo - 1]
            return try datasets[lo][index - start, generator: generator]
        }
    }
}

/// Iterable datasets one after another, like `torch.utils.data.ChainDataset`.
public struct ChainDataset<Element>: IterableDataset {
    private let parts: [AnySequence<Element>]

    /// The streams one after another.
    public init(_ datasets: [AnySequence<Element>]) { parts = datasets }

    /// Streams of one type one after another.
    public init<S: Sequence>(_ datasets: [S]) where S.Element == Element {
        parts = datasets.map { AnySequence($0) }
    }

    public func makeIterator() -> AnyIterator<Element> {
        var index = 0
        var it: AnyIterator<Element>?
        return AnyIterator {
            while index < parts.count {
                if it == nil { it = parts[index].makeIterator() }
                if let x = it?.next() { return x }
                it = nil
                index += 1
            }
            return nil
        }
    }
}

// MARK: - randomSplit

/// Splits a dataset into non-overlapping random subsets of the given lengths,
/// like `torch.utils.data.random_split`.
///
/// ```swift
/// let parts = try randomSplit(train, lengths: [40_000, 10_000], generator: Generator(seed: 0))
/// ```
/// - Throws: `DataError` if the lengths do not sum to `dataset.count`.
public func randomSplit<D: Dataset>(_ dataset: D, lengths: [Int], generator: Generator? = nil) throws -> [Subset<D>] {
    if let bad = lengths.firstIndex(where: { $0 < 0 }) {
        throw DataError(.invalidArgument, "randomSplit: length at index \(bad) is negative (\(lengths[bad]))")
    }
    let total = lengths.reduce(0, +)
    guard total == dataset.count else {
        throw DataError(.invalidArgument, "randomSplit: sum of input lengths (\(total)) does not equal the length of the input dataset (\(dataset.count))")
    }
    let perm = Generator.with(generator) { $0.randperm(total) }
    var out: [Subset<D>] = []
    var offset = 0
    for n in lengths {
        out.append(Subset(dataset, indices: Array(perm[offset..<(offset + n)])))
        offset += n
    }
    return out
}

/// Splits a dataset by fractions summing to 1, like `random_split(ds, [0.8, 0.2])`:
/// each part gets `floor(count * fraction)` items and the remainder is dealt
/// out one by one from the first part on.
public func randomSplit<D: Dataset>(_ dataset: D, fractions: [Double], generator: Generator? = nil) throws -> [Subset<D>] {
    try randomSplit(dataset, lengths: splitLengths(count: dataset.count, fractions: fractions), generator: generator)
}

/// The subset lengths `random_split` uses for `fractions` of `count` items.
public func splitLengths(count: Int, fractions: [Double]) throws -> [Int] {
    for (i, f) in fractions.enumerated() where !(f >= 0 && f <= 1) {
        throw DataError(.invalidArgument, "randomSplit: fraction at index \(i) is not between 0 and 1 (\(f))")
    }
    let sum = fractions.reduce(0, +)
    guard abs(sum - 1) < 1e-9 else {
        throw DataError(.invalidArgument, "randomSplit: fractions sum to \(sum), expected 1")
    }
    var lengths = fractions.map { Int((Double(count) * $0).rounded(.down)) }
    let remainder = count - lengths.reduce(0, +)
    if !lengths.isEmpty {
        for i in 0..<remainder { lengths[i % lengths.count] += 1 }
    }
    return lengths
}
