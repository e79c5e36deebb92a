import Foundation

/// Settings of one training run, with the reference run's defaults
/// (LeNet5, SGD lr 0.001 momentum 0.9, batch 16, 10 epochs, augmentation).
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Zoo model name (`workbench models`).
    public var model = "lenet5"
    /// Dataset path (CIFAR-10 archive or folder); nil for the embedded Shapes10.
    public var dataPath: String?
    /// Epochs to train.
    public var epochs = 10
    /// Images per training batch.
    public var batchSize = 16
    /// `sgd`, `adam`, `adamw` or `rmsprop`.
    public var optimizer = "sgd"
    /// Learning rate.
    public var lr = 0.001
    /// Momentum (SGD, RMSprop); Adam's beta1 is left at its default.
    public var momentum = 0.9
    /// L2 penalty (decoupled for AdamW).
    public var weightDecay = 0.0
    /// Images held out of the training set for validation; nil: 10,000 for
    /// CIFAR-10 (the reference split), a fifth of the set otherwise.
    public var valSize: Int?
    /// RandomCrop(32, padding 4) + RandomHorizontalFlip on training images.
    public var augment = true
    /// Seed of the model initialisation, the split, shuffling and augmentation.
    public var seed: UInt64 = 0
    /// Loader workers (0: load on the training thread).
    public var numWorkers = 2
    /// Use only the first N training images and N test images (quick experiments); nil: all.
    public var limit: Int?

    /// The reference run's settings.
    public init() {}

    /// The accepted `optimizer` names.
    public static let optimizers = ["sgd", "adam", "adamw", "rmsprop"]

    /// Checks every value; the error names the setting and what was expected.
    public func validate() throws {
        func fail(_ s: String) -> TrainingSetupError { TrainingSetupError(s) }
        guard ModelZoo.entry(named: model) != nil else {
            throw fail("unknown model '\(model)'; expected one of: \(ModelZoo.names.joined(separator: ", "))")
        }
        guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw fail("batch size must be at least 1, got \(batchSize)") }
        guard TrainingConfig.optimizers.contains(optimizer.lowercased()) else {
            throw fail("unknown optimizer '\(optimizer)'; expected one of: \(TrainingConfig.optimizers.joined(separator: ", "))")
        }
        guard lr.isFinite && lr > 0 else { throw fail("learning rate must be a positive number, got \(lr)") }
        guard momentum.isFinite && momentum >= 0 && momentum < 1 || momentum == 0 else {
            throw fail("momentum must be in [0, 1), got \(momentum)")
        }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw fail("weight decay must be >= 0, got \(weightDecay)") }
        if let v = valSize { guard v >= 0 else { throw fail("validation size must be >= 0, got \(v)") } }
        if let l = limit { guard l >= 2 else { throw fail("limit must be at least 2 images, got \(l)") } }
        guard numWorkers >= 0 else { throw fail("workers must be >= 0, got \(numWorkers)") }
    }

    /// The settings as strings, for checkpoint metadata.
    public var dictionary: [String: String] {
        var d: [String: String] = ["model": model, "epochs": "\(epochs)", "batch_size": "\(batchSize)",
                                   "optimizer": optimizer, "lr": "\(lr)", "momentum": "\(momentum)",
                                   "weight_decay": "\(weightDecay)", "augment": "\(augment)", "seed": "\(seed)"]
        if let p = dataPath { d["data"] = p }
        if let v = valSize { d["val_size"] = "\(v)" }
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
