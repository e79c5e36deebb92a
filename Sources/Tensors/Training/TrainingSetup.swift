import Foundation

/// Builds everything a run needs from a `TrainingConfig`: dataset splits,
/// loaders, model, optimizer and the engine. Shared by `workbench train`
/// and the TUI.
///
/// Randomness follows one seed: the model is initialised from
/// `Generator(seed)`, the train/validation split from `seed + 1`, and
/// shuffling and augmentation from `seed + 2`, so a seed reproduces a run.
public final class TrainingSetup {
    /// CIFAR-10 channel statistics used by the reference chapter.
    public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    /// CIFAR-10 channel standard deviations used by the reference chapter.
    public static let std: [Float] = [0.2023, 0.1994, 0.2010]

    /// The settings, as validated.
    public let config: TrainingConfig
    /// The zoo model, initialised from the seed (or the one passed in).
    public let model: any UnaryLayer
    /// The optimizer over the model's parameters.
    public let optimizer: Optimizer
    /// Training batches (shuffled, augmented when configured).
    public let train: BatchSource
    /// Validation batches, nil with `valSize` 0.
    public let val: BatchSource?
    /// Test-split batches.
    public let test: BatchSource?
    /// Class names, indexed by label.
    public let classes: [String]
    /// Shape of one input image ([3, 32, 32]).
    public let inputShape: [Int]
    /// Human-readable dataset name and split sizes.
    public let datasetSummary: String
    /// Draws shuffling and augmentation (saved in checkpoints).
    public let loaderGenerator: Generator

    /// Opens the dataset and builds model and optimizer. Throws a one-line error for bad settings or data.
    public init(config: TrainingConfig, model existing: (any UnaryLayer)? = nil) throws {
        try config.validate()
        self.config = config
        let augment: [any Transform] = config.augment ? [RandomCrop(32, padding: 4), RandomHorizontalFlip()] : []
        let trainTransform = Compose(augment + [ToTensor(), Normalize(mean: Self.mean, std: Self.std)])
        let testTransform = Compose(ToTensor(), Normalize(mean: Self.mean, std: Self.std))
        let (trainSet, testSet): (any ImageClassificationDataset, any ImageClassificationDataset)
        do {
            if let path = config.dataPath {
                let full = try CIFAR10(root: path, train: true, transform: trainTransform)
                trainSet = full
                testSet = try CIFAR10(root: path, train: false, transform: testTransform)
            } else {
                // With a limit, generate only that many images (a smaller, still class-balanced set).
                trainSet = Shapes10(train: true, transform: trainTransform, count: config.limit)
                testSet = Shapes10(train: false, transform: testTransform, count: config.limit)
            }
        } catch let e as DataError {
            throw TrainingSetupError(e.message)
        }
        classes = trainSet.classes
        inputShape = [trainSet.imageChannels, trainSet.imageHeight, trainSet.imageWidth]

        let n = Swift.min(trainSet.count, config.limit ?? .max)
        let valCount = config.valSize ?? (config.dataPath != nil && config.limit == nil ? 10_000 : n / 5)
        guard valCount < n else {
            throw TrainingSetupError("validation size \(valCount) must be smaller than the training set (\(n) images)")
        }
        let perm = Generator(seed: config.seed &+ 1).randperm(n)
        let trainIdx = Array(perm[valCount...])
        let valIdx = Array(perm[..<valCount])
        let loaderGen = Generator(seed: config.seed &+ 2)
        loaderGenerator = loaderGen
        train = try Self.source(trainSet, indices: trainIdx, shuffle: true, config: config, generator: loaderGen)
        // Validation sees the test-time transform (no augmentation).
        val = valCount > 0 ? try Self.source(trainSet.withTransform(testTransform), indices: valIdx, shuffle: false,
                                             config: config, generator: loaderGen) : nil
        let testCount = Swift.min(testSet.count, config.limit ?? .max)
        test = try Self.source(testSet, indices: testCount < testSet.count ? Array(0..<testCount) : nil, shuffle: false,
                               config: config, generator: loaderGen)
        datasetSummary = "\(config.dataPath == nil ? "Shapes10 (embedded)" : "CIFAR10 \(config.dataPath ?? "")"): "
            + "\(trainIdx.count) train / \(valIdx.count) val / \(testCount) test"

        if let existing {
            model = existing
        } else {
            model = try ModelZoo.make(config.model, generator: Generator(seed: config.seed))
        }
        optimizer = try Self.makeOptimizer(config, model.parameters())
    }

    /// The optimizer `c` names over `params`; throws for an unknown name or a bad value.
    public static func makeOptimizer(_ c: TrainingConfig, _ params: [Tensor]) throws -> Optimizer {
        switch c.optimizer.lowercased() {
        case "sgd": return try SGD(params, lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay)
        case "adam": return try Adam(params, lr: c.lr, weightDecay: c.weightDecay)
        case "adamw": return try AdamW(params, lr: c.lr, weightDecay: c.weightDecay)
        case "rmsprop": return try RMSprop(params, lr: c.lr, weightDecay: c.weightDecay, momentum: c.momentum)
        default: throw TrainingSetupError("unknown optimizer '\(c.optimizer)'")
        }
    }

    static func source(_ dataset: any ImageClassificationDataset, indices: [Int]?, shuffle: Bool,
                       config: TrainingConfig, generator: Generator) throws -> BatchSource {
        try open(dataset, indices: indices, shuffle: shuffle, config: config, generator: generator)
    }

    private static func open<D: ImageClassificationDataset>(_ dataset: D, indices: [Int]?, shuffle: Bool,
                                                           config: TrainingConfig, generator: Generator) throws -> BatchSource {
        let loader: DataLoader<(Feature, Int), (Tensor, IntTensor)>
        let count = indices?.count ?? dataset.count
        do {
            if let indices {
                let sampler: any Sampler = shuffle ? SubsetRandomSampler(indices: indices, generator: generator)
                                                   : SubsetSequentialSampler(indices: indices)
                loader = try DataLoader(dataset, batchSize: config.batchSize, sampler: sampler,
                                        numWorkers: config.numWorkers, generator: generator)
            } else {
                loader = try DataLoader(dataset, batchSize: config.batchSize, shuffle: shuffle,
                                        numWorkers: config.numWorkers, generator: generator)
            }
        } catch let e as DataError {
            throw TrainingSetupError(e.message)
        }
        return BatchSource(count: loader.count, images: count) { _ in
            let it = loader.makeIterator()
            return { try it.nextBatch() }
        }
    }

    /// The engine for this setup.
    public func makeEngine(history: MetricHistory = MetricHistory()) -> TrainingEngine {
        TrainingEngine(model: model, optimizer: optimizer, loss: { crossEntropy($0, $1) },
                       train: train, val: val, test: test, epochs: config.epochs,
                       inputShape: inputShape, numClasses: classes.count, history: history)
    }
}

/// Visits the given indices in order (validation subsets).
public struct SubsetSequentialSampler: Sampler {
    /// The indices, in visiting order.
    public let indices: [Int]
    /// A sampler over `indices`.
    public init(indices: [Int]) { self.indices = indices }
    /// Number of indices.
    public var count: Int { indices.count }
    public func makeIterator() -> IndexingIterator<[Int]> { indices.makeIterator() }
}

extension TrainingSetup {
    /// A checkpoint of the engine's current state (call on the training thread,
    /// e.g. from an `.epochEnded` observer or a `.perform` command).
    public func checkpoint(engine: TrainingEngine) -> Checkpoint {
        Checkpoint(modelState: model.stateDict(), optimizerState: optimizer.stateDict(),
                   epoch: engine.history.epochs.count, globalStep: engine.globalStep,
                   rngState: loaderGenerator.state + Generator.default.state,
                   history: engine.history, config: config.dictionary)
    }

    /// Restores model, optimizer and random state from a checkpoint; the model
    /// is unchanged if the checkpoint does not fit it.
    public func restore(from ck: Checkpoint) throws {
        try model.loadStateDict(ck.modelState)
        if let o = ck.optimizerState { try optimizer.loadStateDict(o) }
        if ck.rngState.count == 14 {
            loaderGenerator.state = Array(ck.rngState[0..<7])
            Generator.default.state = Array(ck.rngState[7..<14])
        }
    }
}
