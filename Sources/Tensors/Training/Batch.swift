/// A value a batch carries: float features (images, tabular rows, regression
/// targets) or integer indices (class labels, token ids).
public enum BatchValue {
    case tensor(Tensor)
    case indices(IntTensor)

    /// The float tensor, if this is one.
    public var tensor: Tensor? { if case .tensor(let t) = self { return t } else { return nil } }
    /// The indices, if this is one.
    public var indices: IntTensor? { if case .indices(let t) = self { return t } else { return nil } }

    /// The shape of the value.
    public var shape: [Int] {
        switch self {
        case .tensor(let t): return t.shape
        case .indices(let t): return t.shape
        }
    }

    /// `a Tensor [16, 3, 32, 32]` / `indices [16]`, for error messages.
    public var summary: String {
        switch self {
        case .tensor(let t): return "a float tensor \(t.shape)"
        case .indices(let t): return "indices \(t.shape)"
        }
    }
}

/// One batch of a split: the model's inputs and the target its loss
/// compares against. What the parts mean is the `TrainingTask`'s business.
///
/// ```swift
/// let b = Batch(images, labels: labels)        // classification
/// let r = Batch(rows, targets: prices)         // regression
/// ```
public struct Batch {
    /// The model's inputs, in call order.
    public var inputs: [BatchValue]
    /// What the model should predict.
    public var target: BatchValue
    /// Samples in the batch.
    public var count: Int

    /// A batch of the given parts.
    public init(inputs: [BatchValue], target: BatchValue, count: Int) {
        self.inputs = inputs
        self.target = target
        self.count = count
    }

    /// A classification batch: inputs [N, …] and class indices [N].
    public init(_ input: Tensor, labels: IntTensor) {
        self.init(inputs: [.tensor(input)], target: .indices(labels), count: labels.count)
    }

    /// A regression batch: inputs [N, …] and float targets [N, …].
    public init(_ input: Tensor, targets: Tensor) {
        self.init(inputs: [.tensor(input)], target: .tensor(targets), count: targets.shape.first ?? 0)
    }
}

/// Batches for one split: how many per epoch, and a fresh iterator per epoch.
///
/// A source can start an epoch at any batch (`makeIterator(epoch, from:)`),
/// which resuming mid-epoch needs: a source built on a `DataLoader` skips the
/// first batches without building them; any other source builds and drops
/// them. `generator`, when set, is the generator an epoch's start draws its
/// order and augmentation seeds from: the engine notes its state there so a
/// checkpoint can replay the epoch.
public struct BatchSource {
    /// Batches per epoch.
    public var count: Int
    /// Samples per epoch.
    public var samples: Int
    /// The generator an epoch's start draws from (shuffling, augmentation seeds), if any.
    public var generator: Generator?
    private let make: (_ epoch: Int, _ first: Int) -> () throws -> Batch?

    /// A source of `count` batches holding `samples` samples per epoch;
    /// `makeIterator(epoch)` gives a fresh batch iterator for `epoch`
    /// (0-based): each call returns the next batch, nil at the end, or throws
    /// a data error. Starting mid-epoch builds and drops the batches before.
    public init(count: Int, samples: Int, makeIterator: @escaping (_ epoch: Int) -> () throws -> Batch?) {
        self.init(count: count, samples: samples, generator: nil) { epoch, first in
            let next = makeIterator(epoch)
            var skipped = 0
            return {
                while skipped < first {
                    skipped += 1
                    guard try next() != nil else { return nil }
                }
                return try next()
            }
        }
    }

    /// A source whose iterators can start at batch `first` of an epoch
    /// directly (`makeIterator(epoch, first)`), drawing from `generator` at the start.
    public init(count: Int, samples: Int, generator: Generator?,
                startingAt makeIterator: @escaping (_ epoch: Int, _ first: Int) -> () throws -> Batch?) {
        self.count = count
        self.samples = samples
        self.generator = generator
        make = makeIterator
    }

    /// A fresh batch iterator for `epoch` (0-based) that starts at batch
    /// `first` (0-based) of the epoch: each call returns the next batch, nil
    /// at the end, or throws a data error.
    public func makeIterator(_ epoch: Int, from first: Int = 0) -> () throws -> Batch? { make(epoch, first) }

    /// A classification source from an iterator of (inputs, labels) pairs.
    public static func classification(count: Int, samples: Int,
                                      makeIterator: @escaping (_ epoch: Int) -> () throws -> (Tensor, IntTensor)?) -> BatchSource {
        BatchSource(count: count, samples: samples) { epoch in
            let next = makeIterator(epoch)
            return { try next().map { Batch($0.0, labels: $0.1) } }
        }
    }

    /// A source over a `DataLoader` (one epoch per iteration), each batch turned into a `Batch` by `convert`;
    /// `onEpoch` is told each epoch before its first batch (a `DistributedSampler`'s `setEpoch`).
    public static func loader<E, B>(_ loader: DataLoader<E, B>, samples: Int, onEpoch: ((Int) -> Void)? = nil,
                                    _ convert: @escaping (B) -> Batch) -> BatchSource {
        BatchSource(count: loader.count, samples: samples, generator: loader.generator) { epoch, first in
            onEpoch?(epoch)
            let it = loader.makeIterator(skipping: first)
            return { try it.nextBatch().map(convert) }
        }
    }
}
