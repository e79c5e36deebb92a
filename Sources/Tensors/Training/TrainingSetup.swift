import Foundation

/// Builds everything a run needs from a `TrainingConfig`: dataset splits,
/// loaders, the task, model, optimizer and the engine. Shared by
/// `workbench train` and the TUI.
///
/// The data decides the task: images (the embedded Shapes10, CIFAR-10) and a
/// CSV label column are classification; a CSV with `task: .regression`
/// predicts its target columns. Randomness follows one seed: the model is
/// initialised from `Generator(seed)`, the train/validation split from
/// `seed + 1`, and shuffling and augmentation from `seed + 2`, so a seed
/// reproduces a run.
public final class TrainingSetup {
    /// CIFAR-10 channel statistics used by the reference chapter.
    public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    /// CIFAR-10 channel standard deviations used by the reference chapter.
    public static let std: [Float] = [0.2023, 0.1994, 0.2010]

    /// The settings, as validated.
    public let config: TrainingConfig
    /// What the run learns (chosen from the data).
    public let task: any TrainingTask
    /// The zoo model, initialised from the seed (or the one passed in).
    public let model: Module
    /// The optimizer over the model's parameters.
    public let optimizer: Optimizer
    /// The learning-rate scheduler over `optimizer` (`config.scheduler`), nil for a constant rate.
    public let scheduler: (any LearningRateScheduler)?
    /// Training batches (shuffled, augmented when configured).
    public let train: BatchSource
    /// Validation batches, nil with a validation size of 0.
    public let val: BatchSource?
    /// Test-split batches (nil for a CSV file, which has one split).
    public let test: BatchSource?
    /// Class names, indexed by label (empty for regression).
    public let classes: [String]
    /// Shape of one input sample ([3, 32, 32], or [F] for a CSV row).
    public let inputShape: [Int]
    /// Human-readable dataset name and split sizes.
    public let datasetSummary: String
    /// Draws shuffling and augmentation (saved in checkpoints).
    public let loaderGenerator: Generator
    /// The tokenizer of text data (saved with the weights), nil for other data.
    public let tokenizer: Tokenizer?
    /// The processes of a data-parallel run (nil: one process, the usual loaders).
    /// With a group, training reads this rank's `DistributedSampler` share
    /// (reshuffled per epoch from `seed + 2`), validation and test read a
    /// strided shard each (metrics are reduced over the ranks), and the
    /// engine averages gradients (`makeEngine`).
    public let processGroup: (any ProcessGroup)?
    /// The model file the model was built from, nil for a zoo model.
    public let modelDefinition: ModelDefinition?

    /// Opens the dataset and builds task, model and optimizer. Throws a one-line error for bad settings or data.
    public init(config: TrainingConfig, model existing: Module? = nil, processGroup: (any ProcessGroup)? = nil) throws {
        try config.validate()
        self.config = config
        self.processGroup = processGroup
        let definition: ModelDefinition?
        do {
            definition = ModelDefinition.isModelFile(config.model) ? try ModelDefinition.load(path: config.model) : nil
        } catch {
            throw TrainingSetupError("\(error)")
        }
        modelDefinition = definition
        // Ranks other than 0 draw augmentation from their own stream (rank 0's is the one-process stream).
        let rank = UInt64(processGroup?.rank ?? 0)
        let loaderGen = Generator(seed: config.seed &+ 2 &+ rank &* 0x9E37_79B9_7F4A_7C15)
        loaderGenerator = loaderGen
        let data: Splits
        do {
            if config.resolvedTask == .languageModeling {
                data = try Self.text(config, loaderGen, processGroup)
            } else if config.task == .sequenceClassification {
                data = try Self.textClassification(config, loaderGen, processGroup)
            } else if config.task == .forecasting {
                data = try Self.forecasting(config, loaderGen, processGroup)
            } else if let path = config.dataPath, TrainingConfig.isCSV(path) {
                data = try config.task == .regression ? Self.csvRegression(path, config, loaderGen, processGroup)
                                                      : Self.csvClassification(path, config, loaderGen, processGroup)
            } else {
                data = try Self.images(config, loaderGen, processGroup, modelInput: definition?.declaredInputShape)
            }
        } catch let e as DataError {
            throw TrainingSetupError(e.message)
        }
        (train, val, test, classes, inputShape, task) = (data.train, data.val, data.test, data.classes, data.inputShape, data.task)
        datasetSummary = data.summary
        tokenizer = data.tokenizer
        model = try existing ?? Self.makeModel(config, data, definition: definition)
        do {
            optimizer = try config.optimizer.make(model.parameters(), lr: config.lr, momentum: config.momentum,
                                                  weightDecay: config.weightDecay)
        } catch {
            throw TrainingSetupError("\(error)")
        }
        do {
            scheduler = try config.scheduler?.make(optimizer, epochs: config.epochs, stepsPerEpoch: train.count)
        } catch {
            throw TrainingSetupError("scheduler: \(error)")
        }
    }

    /// The zoo model `config` names (or the model file's), sized to the data and initialised from `Generator(seed)`.
    static func makeModel(_ config: TrainingConfig, _ data: Splits, definition: ModelDefinition?) throws -> Module {
        let g = Generator(seed: config.seed)
        if let definition {
            guard !(data.task is LanguageModelTask) else {
                throw TrainingSetupError("\(definition.file): model files build one-tensor models; language models come from the zoo")
            }
            let outputs = (data.task as? RegressionTask)?.outputs ?? data.classes.count
            do {
                return try definition.build(inputShape: data.inputShape, outputs: outputs, generator: g)
            } catch {
                throw TrainingSetupError("\(error)")
            }
        }
        if let lm = data.task as? LanguageModelTask {
            guard let e = SequenceModelZoo.entry(named: config.model), e.kind == .languageModel else {
                throw TrainingSetupError("\(config.model) is not a language model; use one of: "
                                         + SequenceModelZoo.entries.filter { $0.kind == .languageModel }.map(\.name).joined(separator: ", "))
            }
            return e.make(vocabularySize: lm.vocabularySize, generator: g)
        }
        if data.task is SequenceClassificationTask || data.task.kind == .forecasting {
            let kind: SequenceModelZoo.Kind = data.task.kind == .forecasting ? .forecaster : .textClassifier
            guard let e = SequenceModelZoo.entry(named: config.model), e.kind == kind else {
                throw TrainingSetupError("\(config.model) is not a \(kind == .forecaster ? "forecaster" : "text classifier"); use one of: "
                                         + SequenceModelZoo.entries.filter { $0.kind == kind }.map(\.name).joined(separator: ", "))
            }
            if kind == .forecaster { return e.make(vocabularySize: data.inputShape.last ?? 1, numClasses: 1, generator: g) }
            return e.make(vocabularySize: data.tokenizer?.vocabularySize ?? 1, numClasses: data.classes.count, generator: g)
        }
        guard let entry = ModelZoo.entry(named: config.model) else {
            throw TrainingSetupError("\(config.model) reads token ids; it trains on text (--task language-modeling)")
        }
        if case .image = entry.input, data.inputShape.count != 3 {
            throw TrainingSetupError("\(config.model) reads images but \(config.dataPath ?? "the data") has rows of \(data.inputShape.reduce(1, *)) features; use --model mlp")
        }
        let outputs = (data.task as? RegressionTask)?.outputs ?? data.classes.count
        return entry.make(inputShape: data.inputShape, outputs: outputs, generator: g)
    }

    /// The data of one run.
    struct Splits {
        var train: BatchSource
        var val: BatchSource?
        var test: BatchSource?
        var classes: [String]
        var inputShape: [Int]
        var task: any TrainingTask
        var summary: String
        var tokenizer: Tokenizer? = nil
    }

    /// Training and validation indices of `n` samples: `valCount` drawn by `Generator(seed + 1)`.
    static func split(_ n: Int, valCount: Int, seed: UInt64) throws -> (train: [Int], val: [Int]) {
        guard valCount < n else {
            throw TrainingSetupError("validation size \(valCount) must be smaller than the training set (\(n) samples)")
        }
        let perm = Generator(seed: seed &+ 1).randperm(n)
        return (Array(perm[valCount...]), Array(perm[..<valCount]))
    }

    /// The validation size `config` asks for out of `n` samples (`standard` when it says nothing).
    static func valCount(_ config: TrainingConfig, _ n: Int, standard: Int) -> Int {
        if let v = config.valSize { return v }
        if let f = config.valFraction { return Int(Double(n) * f) }
        return standard
    }

    /// The `Normalize` statistics for images of `channels` channels: CIFAR-10's, or MNIST's for grey images.
    public static func normalization(channels: Int) -> (mean: [Float], std: [Float]) {
        channels == 1 ? ([0.1307], [0.3081]) : (mean, std)
    }

    static func images(_ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?,
                       modelInput: [Int]? = nil) throws -> Splits {
        // Digits (MNIST, Fashion-MNIST): one channel, 28x28, no flips.
        let kind = config.dataPath.map(ImageDatasetKind.detect)
        let grey = kind == .mnist || kind == .fashionMNIST
        let (m, sd) = normalization(channels: grey ? 1 : 3)
        let augment: [any Transform] = !config.augment ? [] : grey ? [RandomCrop(28, padding: 2)]
            : [RandomCrop(32, padding: 4), RandomHorizontalFlip()]
        let trainTransform = Compose(augment + [ToTensor(), Normalize(mean: m, std: sd)])
        let testTransform = Compose(ToTensor(), Normalize(mean: m, std: sd))
        let (trainSet, testSet): (any ImageClassificationDataset, any ImageClassificationDataset)
        var folderTest: (any ImageClassificationDataset)??
        if let path = config.dataPath, let root = try ImageFolder.splitRoot(path, train: true) {
            // Class folders: decoded, converted to RGB and resized to the model's input once, at load.
            let size = (modelInput ?? ModelZoo.entry(named: config.model)?.inputShape).flatMap { $0.count == 3 ? ($0[1], $0[2]) : nil } ?? (32, 32)
            func open(_ root: String, train: Bool, _ t: any Transform) throws -> any ImageClassificationDataset {
                let folder = try ImageFolder(root: root, resize: size, onCorruptFile: .skip)
                guard let set = ImageArrayDataset(folder, train: train, transform: t) else {
                    throw TrainingSetupError("\(root): the images could not be loaded")
                }
                return set
            }
            trainSet = try open(root, train: true, trainTransform)
            let testRoot = try ImageFolder.splitRoot(path, train: false)
            folderTest = try testRoot.map { try open($0, train: false, testTransform) }
            testSet = folderTest.flatMap { $0 } ?? trainSet.withTransform(testTransform)
        } else if let path = config.dataPath {
            // The splits the TUI opened to browse are reused (no second read of the archive).
            let kind = kind ?? ImageDatasetKind.detect(path)
            trainSet = try LoadedDatasets.recall(path: path, train: true)?.withTransform(trainTransform)
                ?? kind.open(root: path, train: true, transform: trainTransform)
            testSet = try LoadedDatasets.recall(path: path, train: false)?.withTransform(testTransform)
                ?? kind.open(root: path, train: false, transform: testTransform)
        } else {
            // With a limit, generate only that many images (a smaller, still class-balanced set).
            trainSet = Shapes10(train: true, transform: trainTransform, count: config.limit)
            testSet = Shapes10(train: false, transform: testTransform, count: config.limit)
        }
        let n = Swift.min(trainSet.count, config.limit ?? .max)
        let isCIFAR = config.dataPath != nil && folderTest == nil
        let idx = try split(n, valCount: valCount(config, n, standard: isCIFAR && config.limit == nil ? 10_000 : n / 5),
                            seed: config.seed)
        let train = try source(trainSet, indices: idx.train, shuffle: true, config: config, generator: loaderGen, group: group)
        // Validation sees the test-time transform (no augmentation).
        let val = idx.val.isEmpty ? nil : try source(trainSet.withTransform(testTransform), indices: idx.val, shuffle: false,
                                                     config: config, generator: loaderGen, group: group)
        // A single class-folder tree has no test split (its validation rows are held out of it).
        let hasTest = folderTest.map { $0 != nil } ?? true
        let testCount = hasTest ? Swift.min(testSet.count, config.limit ?? .max) : 0
        let test = hasTest ? try source(testSet, indices: testCount < testSet.count ? Array(0..<testCount) : nil, shuffle: false,
                                        config: config, generator: loaderGen, group: group) : nil
        let shape = [trainSet.imageChannels, trainSet.imageHeight, trainSet.imageWidth]
        let name = config.dataPath == nil ? "Shapes10 (embedded)"
            : folderTest != nil ? "ImageFolder \(config.dataPath ?? "") (\(trainSet.classes.count) classes, resized to \(shape[1])x\(shape[2]))"
            : "\((kind ?? .cifar10).rawValue.replacingOccurrences(of: "-", with: "")) \(config.dataPath ?? "")"
        return Splits(train: train, val: val, test: test, classes: trainSet.classes, inputShape: shape,
                      task: ClassificationTask(numClasses: trainSet.classes.count, inputShape: shape),
                      summary: "\(name): \(idx.train.count) train / \(idx.val.count) val / \(testCount) test")
    }

    static func csvClassification(_ path: String, _ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?) throws -> Splits {
        let set = try CSVDataset(path: path, labelColumn: config.target ?? "label")
        let n = Swift.min(set.count, config.limit ?? .max)
        let idx = try split(n, valCount: valCount(config, n, standard: n / 5), seed: config.seed)
        let train = try source(set, indices: idx.train, shuffle: true, config: config, generator: loaderGen, group: group)
        let val = idx.val.isEmpty ? nil : try source(set, indices: idx.val, shuffle: false, config: config, generator: loaderGen, group: group)
        let shape = [set.featureNames.count]
        return Splits(train: train, val: val, test: nil, classes: set.classes, inputShape: shape,
                      task: ClassificationTask(numClasses: set.classes.count, inputShape: shape),
                      summary: "CSV \(path) (label \(set.labelColumn), \(set.classes.count) classes): "
                        + "\(idx.train.count) train / \(idx.val.count) val")
    }

    static func csvRegression(_ path: String, _ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?) throws -> Splits {
        guard let target = config.target, !target.isEmpty else {
            throw TrainingSetupError("regression on \(path) needs the column(s) to predict (--target COLUMN)")
        }
        let columns = target.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let set = try CSVRegressionDataset(path: path, targetColumns: columns)
        let n = Swift.min(set.count, config.limit ?? .max)
        let idx = try split(n, valCount: valCount(config, n, standard: n / 5), seed: config.seed)
        func open(_ indices: [Int], shuffle: Bool) throws -> BatchSource {
            try tensorBatches(set, indices: indices, shuffle: shuffle, config: config, generator: loaderGen, group: group)
        }
        let shape = [set.featureNames.count]
        return Splits(train: try open(idx.train, shuffle: true), val: idx.val.isEmpty ? nil : try open(idx.val, shuffle: false),
                      test: nil, classes: [], inputShape: shape,
                      task: RegressionTask(inputShape: shape, outputs: columns.count),
                      summary: "CSV \(path) (predicting \(columns.joined(separator: ", ")) from \(shape[0]) features): "
                        + "\(idx.train.count) train / \(idx.val.count) val")
    }

    static func text(_ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?) throws -> Splits {
        let set = try SequenceData.languageModel(config)
        let n = Swift.min(set.count, config.limit ?? .max)
        let idx = try split(n, valCount: valCount(config, n, standard: n / 10), seed: config.seed)
        func open(_ indices: [Int], shuffle: Bool) throws -> BatchSource {
            try collatedBatches(set, indices: indices, shuffle: shuffle, config: config, generator: loaderGen, group: group,
                                collate: { items in stackWindows(items) },
                                batch: { Batch(inputs: [.indices($0.0)], target: .indices($0.1), count: $0.0.shape[0]) })
        }
        let v = set.tokenizer.vocabularySize
        return Splits(train: try open(idx.train, shuffle: true), val: idx.val.isEmpty ? nil : try open(idx.val, shuffle: false),
                      test: nil, classes: [], inputShape: [config.sequenceLength],
                      task: LanguageModelTask(vocabularySize: v, sequenceLength: config.sequenceLength),
                      summary: "\(config.dataPath ?? "arithmetic corpus (embedded)"): \(set.ids.count) tokens, vocabulary \(v), "
                        + "windows of \(config.sequenceLength): \(idx.train.count) train / \(idx.val.count) val",
                      tokenizer: set.tokenizer)
    }

    /// Text classification: a CSV file's text and label columns (`textColumn`, `target`;
    /// default `text` and `label`), a folder of `<class>/*.txt` files, or without
    /// data the embedded arithmetic task (is the sum right?). Texts are cut at
    /// `sequenceLength` tokens; batches are padded with their lengths.
    static func textClassification(_ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?) throws -> Splits {
        let set = try SequenceData.textClassification(config)
        let n = Swift.min(set.count, config.limit ?? .max)
        let idx = try split(n, valCount: valCount(config, n, standard: n / 5), seed: config.seed)
        func open(_ indices: [Int], shuffle: Bool) throws -> BatchSource {
            try collatedBatches(set, indices: indices, shuffle: shuffle, config: config, generator: loaderGen, group: group,
                                collate: { items in try padCollate(items) }, batch: SequenceClassificationTask.batch)
        }
        return Splits(train: try open(idx.train, shuffle: true), val: idx.val.isEmpty ? nil : try open(idx.val, shuffle: false),
                      test: nil, classes: set.classes, inputShape: [config.sequenceLength],
                      task: SequenceClassificationTask(numClasses: set.classes.count),
                      summary: "\(set.source == "embedded:arithmetic" ? "arithmetic sums right or wrong (embedded)" : set.source): "
                        + "\(set.classes.count) classes, vocabulary \(set.tokenizer.vocabularySize), up to \(config.sequenceLength) tokens: "
                        + "\(idx.train.count) train / \(idx.val.count) val",
                      tokenizer: set.tokenizer)
    }

    /// Forecasting the next value of a series from the `sequenceLength` before it: a
    /// CSV column (`target`) or without data the embedded sine waves, standardised.
    /// The last windows (a fifth by default) validate, so validation follows training in time.
    static func forecasting(_ config: TrainingConfig, _ loaderGen: Generator, _ group: (any ProcessGroup)?) throws -> Splits {
        let set = try SequenceData.series(config)
        let n = Swift.min(set.count, config.limit ?? .max)
        let held = Self.valCount(config, n, standard: n / 5)
        guard held < n else {
            throw TrainingSetupError("validation size \(held) must be smaller than the number of windows (\(n))")
        }
        func open(_ indices: [Int], shuffle: Bool) throws -> BatchSource {
            try tensorBatches(set, indices: indices, shuffle: shuffle, config: config, generator: loaderGen, group: group)
        }
        let trainIdx = Array(0..<(n - held)), valIdx = Array((n - held)..<n)
        let shape = [config.sequenceLength, 1]
        return Splits(train: try open(trainIdx, shuffle: true), val: valIdx.isEmpty ? nil : try open(valIdx, shuffle: false),
                      test: nil, classes: [], inputShape: shape,
                      task: RegressionTask(inputShape: shape, outputs: set.horizon, kind: .forecasting),
                      summary: "\(set.source): \(set.values.count) values (standardised), windows of \(config.sequenceLength) → next value: "
                        + "\(trainIdx.count) train / \(valIdx.count) val (the last windows)")
    }

    /// Batches of `set` at `indices` (shuffled, or in order), collated by `collate` and read by the task as `batch`.
    static func collatedBatches<D: Dataset, B>(_ set: D, indices: [Int], shuffle: Bool, config: TrainingConfig,
                                               generator: Generator, group: (any ProcessGroup)?,
                                               collate: @escaping ([D.Element]) throws -> B,
                                               batch: @escaping (B) -> Batch) throws -> BatchSource {
        let sampler = try Self.sampler(indices, shuffle: shuffle, config: config, generator: generator, group: group)
        let loader = try DataLoader<D.Element, B>(set, batchSize: config.batchSize, sampler: sampler,
                                                  numWorkers: config.numWorkers, collate: collate, generator: generator)
        return .loader(loader, samples: sampler.count, onEpoch: { (sampler as? DistributedSubsetSampler)?.setEpoch($0) }, batch)
    }

    /// Batches of `[input, target]` float items at `indices` (shuffled, or in order), for regression and forecasting.
    static func tensorBatches<D: Dataset>(_ set: D, indices: [Int], shuffle: Bool, config: TrainingConfig,
                                          generator: Generator, group: (any ProcessGroup)?) throws -> BatchSource
        where D.Element == [Tensor] {
        let sampler = try Self.sampler(indices, shuffle: shuffle, config: config, generator: generator, group: group)
        let loader = try DataLoader(set, batchSize: config.batchSize, sampler: sampler,
                                    numWorkers: config.numWorkers, generator: generator)
        return .loader(loader, samples: sampler.count, onEpoch: { (sampler as? DistributedSubsetSampler)?.setEpoch($0) }) {
            Batch($0[0], targets: $0[1])
        }
    }

    /// Equal-length (input, target) windows stacked into [B, T] id tensors.
    static func stackWindows(_ items: [(IntTensor, IntTensor)]) -> (IntTensor, IntTensor) {
        let t = items.first?.0.count ?? 0
        return (IntTensor(items.flatMap(\.0.values), shape: [items.count, t]),
                IntTensor(items.flatMap(\.1.values), shape: [items.count, t]))
    }

    static func source<D: Dataset>(_ dataset: D, indices: [Int]?, shuffle: Bool,
                                   config: TrainingConfig, generator: Generator,
                                   group: (any ProcessGroup)?) throws -> BatchSource
        where D.Element == (Feature, Int) {
        let loader: DataLoader<(Feature, Int), (Tensor, IntTensor)>
        var count = indices?.count ?? dataset.count
        var distributed: DistributedSubsetSampler?
        if indices != nil || group != nil {
            let sampler = try Self.sampler(indices ?? Array(0..<dataset.count), shuffle: shuffle, config: config,
                                           generator: generator, group: group)
            distributed = sampler as? DistributedSubsetSampler
            count = sampler.count
            loader = try DataLoader(dataset, batchSize: config.batchSize, sampler: sampler,
                                    numWorkers: config.numWorkers, generator: generator)
        } else {
            loader = try DataLoader(dataset, batchSize: config.batchSize, shuffle: shuffle,
                                    numWorkers: config.numWorkers, generator: generator)
        }
        return .loader(loader, samples: count, onEpoch: { distributed?.setEpoch($0) }) { Batch($0.0, labels: $0.1) }
    }

    /// The sampler of a split: shuffled training indices or ordered evaluation
    /// indices; with a process group, this rank's `DistributedSampler` share of
    /// the training indices and a strided shard (unpadded) of evaluation ones.
    static func sampler(_ indices: [Int], shuffle: Bool, config: TrainingConfig, generator: Generator,
                        group: (any ProcessGroup)?) throws -> any Sampler {
        guard let group else {
            return shuffle ? SubsetRandomSampler(indices: indices, generator: generator) as any Sampler
                           : SubsetSequentialSampler(indices: indices)
        }
        if shuffle {
            return try DistributedSubsetSampler(indices: indices, numReplicas: group.worldSize, rank: group.rank,
                                                shuffle: true, seed: config.seed &+ 2)
        }
        return SubsetSequentialSampler(indices: Swift.stride(from: group.rank, to: indices.count, by: group.worldSize).map { indices[$0] })
    }

    /// The engine for this setup; a `history` from a checkpoint resumes after
    /// its last epoch, at batch `position.batch` of the next when given.
    /// With a process group of several ranks, the engine trains data-parallel
    /// (`DistributedDataParallel`: the model is broadcast from rank 0 here).
    public func makeEngine(history: MetricHistory = MetricHistory(), position: TrainingPosition? = nil) -> TrainingEngine {
        let ddp = processGroup.flatMap { $0.isDistributed ? DistributedDataParallel(model, group: $0) : nil }
        return TrainingEngine(model: model, task: task, optimizer: optimizer, train: train, val: val, test: test,
                              epochs: config.epochs, batchSize: config.batchSize, scheduler: scheduler,
                              schedulerStepsPerBatch: config.scheduler?.kind.stepsPerBatch ?? false, history: history,
                              position: position, distributed: ddp)
    }

    /// The engine resuming the run `checkpoint` (already restored with
    /// `restore(from:)`) recorded: after its last epoch, with its next batch.
    public func makeEngine(resuming checkpoint: Checkpoint) -> TrainingEngine {
        makeEngine(history: checkpoint.history,
                   position: TrainingPosition(epoch: checkpoint.epoch, batch: checkpoint.batch, meterState: checkpoint.meterState))
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
    /// e.g. from an `.epochEnded` or `.step` observer or a `.perform` command).
    /// Mid-epoch it records the batch reached, the data generator's state at
    /// the epoch's start and the epoch's metric sums, so a resume continues
    /// with the next batch exactly.
    ///
    /// In a distributed run every rank must call it at the same step (it
    /// gathers each rank's random state, so the checkpoint resumes every
    /// rank's own augmentation stream); rank 0 alone saves it.
    public func checkpoint(engine: TrainingEngine) -> Checkpoint {
        let p = engine.position
        let mine = (p.epochStartRandomState ?? loaderGenerator.state) + Generator.default.state
        return Checkpoint(modelState: model.stateDict(), optimizerState: optimizer.stateDict(),
                          schedulerState: scheduler?.stateDict(),
                          epoch: p.epoch, batch: p.batch, meterState: p.meterState, globalStep: engine.globalStep,
                          rngState: processGroup.map { RandomStateExchange.allGather(mine, over: $0) } ?? mine,
                          history: engine.history, config: config.dictionary)
    }

    /// Restores model, optimizer, scheduler and random state from a checkpoint;
    /// the model is unchanged if the checkpoint does not fit it. A checkpoint
    /// of a run with a scheduler resumes only into a setup with the same kind.
    public func restore(from ck: Checkpoint) throws {
        switch (scheduler, ck.schedulerState) {
        case (nil, let s?):
            throw TrainingSetupError("the checkpoint's run used the scheduler \(s.scheduler); resume it with --scheduler \(s.scheduler.lowercased())")
        case (let mine?, nil):
            throw TrainingSetupError("the checkpoint's run had no scheduler but this one has \(mine.stateDict().scheduler)")
        case (let mine?, let s?) where mine.stateDict().scheduler != s.scheduler:
            throw TrainingSetupError("the checkpoint's run used the scheduler \(s.scheduler) but this one has \(mine.stateDict().scheduler)")
        default: break
        }
        try model.loadStateDict(ck.modelState)
        if let o = ck.optimizerState { try optimizer.loadStateDict(o) }
        if let s = ck.schedulerState { try scheduler?.loadStateDict(s) }
        let rank = processGroup?.rank ?? 0, ranks = ck.rngState.count / 14
        if ck.rngState.count % 14 == 0, rank < ranks {
            let words = ck.rngState[(14 * rank)..<(14 * rank + 14)]
            loaderGenerator.state = Array(words.prefix(7))
            Generator.default.state = Array(words.suffix(7))
        }
        // A checkpoint of fewer ranks (e.g. one process) leaves the extra
        // ranks' freshly seeded streams: their augmentation is new draws.
    }
}
