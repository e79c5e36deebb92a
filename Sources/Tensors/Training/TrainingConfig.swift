import Foundation

/// Settings of one training run, with the reference run's defaults
/// (LeNet5, SGD lr 0.001 momentum 0.9, batch 16, 10 epochs, augmentation).
/// `workbench train`, the TUI's editor and checkpoints all use this type.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Zoo model name (`workbench models`).
    public var model = "lenet5"
    /// Dataset path: a CIFAR-10 archive or folder, or a `.csv` file; nil for the embedded Shapes10.
    public var dataPath: String?
    /// CSV data: the column to predict (the label for classification — default `label` —,
    /// comma-separated target columns for regression).
    public var target: String?
    /// What to learn; nil chooses from the data (classification; regression needs it said).
    public var task: TaskKind?
    /// Epochs to train.
    public var epochs = 10
    /// Samples per training batch.
    public var batchSize = 16
    /// The optimizer.
    public var optimizer: OptimizerKind = .sgd
    /// Learning rate.
    public var lr = 0.001
    /// Momentum (SGD, RMSprop); Adam's beta1 is left at its default.
    public var momentum = 0.9
    /// L2 penalty (decoupled for AdamW).
    public var weightDecay = 0.0
    /// Samples held out of the training set for validation; nil: `valFraction`
    /// of it when set, else 10,000 for CIFAR-10 (the reference split) and a fifth otherwise.
    public var valSize: Int?
    /// Fraction of the training set held out for validation (0..<1), used when `valSize` is nil.
    public var valFraction: Double?
    /// RandomCrop(32, padding 4) + RandomHorizontalFlip on training images.
    public var augment = true
    /// Seed of the model initialisation, the split, shuffling and augmentation.
    public var seed: UInt64 = 0
    /// Loader workers (0: load on the training thread).
    public var numWorkers = 2
    /// Use only the first N training samples and N test samples (quick experiments); nil: all.
    public var limit: Int?
    /// Language modelling: tokens per training window; sequence classification: the
    /// longest text kept (longer ones are cut); forecasting: values per input window.
    public var sequenceLength = 64
    /// Processes of a data-parallel run started from the TUI (`mpirun -np`); nil or 1: this process.
    public var processes: Int?
    /// Sequence classification on a CSV file: the column holding the text (default `text`).
    public var textColumn: String?
    /// The learning-rate scheduler and its arguments, nil for a constant learning rate.
    public var scheduler: SchedulerChoice?

    /// The reference run's settings.
    public init() {}

    /// The zoo model to use when none is named: LeNet5 for images, the MLP for a CSV file,
    /// the character LSTM for language modelling.
    public static func defaultModel(dataPath: String?, task: TaskKind? = nil) -> String {
        if task == .sequenceClassification { return "lstm-classifier" }
        if task == .forecasting { return "lstm-forecaster" }
        if task == .languageModeling || dataPath.map(isText) == true { return "char-lstm" }
        return dataPath.map(isCSV) == true ? "mlp" : "lenet5"
    }

    /// Whether `path` names a CSV file.
    public static func isCSV(_ path: String) -> Bool { path.lowercased().hasSuffix(".csv") }

    /// Whether `path` names a plain text file (language modelling).
    public static func isText(_ path: String) -> Bool { path.lowercased().hasSuffix(".txt") }

    /// The task the settings describe: the one named, else language modelling for a
    /// text file and classification otherwise.
    public var resolvedTask: TaskKind {
        task ?? (dataPath.map(TrainingConfig.isText) == true ? .languageModeling : .classification)
    }

    /// Checks every value; the error names the setting and what was expected.
    public func validate() throws {
        func fail(_ s: String) -> TrainingSetupError { TrainingSetupError(s) }
        if ModelDefinition.isModelFile(model) {
            guard FileManager.default.fileExists(atPath: model) else { throw fail("model file \(model) not found") }
        } else if ModelZoo.entry(named: model) == nil && SequenceModelZoo.entry(named: model) == nil {
            throw fail("unknown model '\(model)'; expected one of: \((ModelZoo.names + SequenceModelZoo.names).joined(separator: ", "))")
        }
        guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw fail("batch size must be at least 1, got \(batchSize)") }
        guard lr.isFinite && lr > 0 else { throw fail("learning rate must be a positive number, got \(lr)") }
        guard momentum.isFinite && momentum >= 0 && momentum < 1 else {
            throw fail("momentum must be in [0, 1), got \(momentum)")
        }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw fail("weight decay must be >= 0, got \(weightDecay)") }
        if let v = valSize { guard v >= 0 else { throw fail("validation size must be >= 0, got \(v)") } }
        if let f = valFraction { guard f >= 0 && f < 1 else { throw fail("validation fraction must be in [0, 1), got \(f)") } }
        if let l = limit { guard l >= 2 else { throw fail("limit must be at least 2 samples, got \(l)") } }
        guard numWorkers >= 0 else { throw fail("workers must be >= 0, got \(numWorkers)") }
        if let p = processes { guard p >= 1 && p <= 1024 else { throw fail("processes must be in 1...1024, got \(p)") } }
        guard sequenceLength >= 1 else { throw fail("sequence length must be at least 1, got \(sequenceLength)") }
        if let s = scheduler {
            do { _ = try s.learningRates(lr: lr, epochs: 1, stepsPerEpoch: 1) } catch { throw fail("scheduler: \(error)") }
        }
        if task == .regression && !(dataPath.map(TrainingConfig.isCSV) ?? false) {
            throw fail("regression needs a CSV file (--data FILE.csv --target COLUMN)")
        }
        if task == .forecasting, let p = dataPath {
            guard TrainingConfig.isCSV(p) else { throw fail("forecasting reads a series from a CSV column (--data FILE.csv --target COLUMN), got \(p)") }
            guard target?.isEmpty == false else { throw fail("forecasting on \(p) needs the column of the series (--target COLUMN)") }
        }
    }

    /// The settings as strings, for checkpoint metadata.
    public var dictionary: [String: String] {
        var d: [String: String] = ["model": model, "epochs": "\(epochs)", "batch_size": "\(batchSize)",
                                   "optimizer": optimizer.rawValue, "lr": "\(lr)", "momentum": "\(momentum)",
                                   "weight_decay": "\(weightDecay)", "augment": "\(augment)", "seed": "\(seed)"]
        if let p = dataPath { d["data"] = p }
        if let v = valSize { d["val_size"] = "\(v)" }
        if let f = valFraction { d["val_fraction"] = "\(f)" }
        if let t = target { d["target"] = t }
        if let k = task { d["task"] = k.rawValue }
        if resolvedTask == .languageModeling || resolvedTask == .sequenceClassification || resolvedTask == .forecasting {
            d["sequence_length"] = "\(sequenceLength)"
        }
        if let t = textColumn { d["text_column"] = t }
        if let s = scheduler {
            d["scheduler"] = s.kind.rawValue
            if !s.arguments.isEmpty { d["scheduler_args"] = s.argumentText }
        }
        return d
    }
}

/// A bad training setting or an unusable dataset, with a one-line message.
public struct TrainingSetupError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
