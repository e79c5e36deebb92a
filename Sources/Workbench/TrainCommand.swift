import ArgumentParser
import Foundation
import Tensors

/// Options that pick a model and a dataset, shared by `train` and `test`.
struct RunOptions: ParsableArguments {
    @Option(help: "Zoo model (see `workbench models`).")
    var model: String = "lenet5"

    @Option(help: ArgumentHelp("CIFAR-10 archive, extracted folder, or a folder holding either. Default: the embedded Shapes10 dataset.",
                               valueName: "path"))
    var data: String?

    @Option(name: .customLong("batch-size"), help: "Images per batch.")
    var batchSize: Int = 16

    @Option(help: "Data-loading workers (0: load on the training thread).")
    var workers: Int = 2

    @Option(help: ArgumentHelp("Use only the first N training and N test images.", valueName: "n"))
    var limit: Int?

    /// A training configuration with these model and data settings, the rest at their defaults.
    func config() -> TrainingConfig {
        var c = TrainingConfig()
        c.model = model.lowercased()
        c.dataPath = data
        c.batchSize = batchSize
        c.numWorkers = workers
        c.limit = limit
        return c
    }
}

/// `workbench train`: the reference training loop, headless.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a zoo model; prints train/val loss each epoch and test accuracy at the end."
    )

    @OptionGroup var options: RunOptions

    @Option(help: "Number of epochs.") var epochs: Int = 10
    @Option(parsing: .unconditional, help: "Learning rate.") var lr: Double = 0.001
    @Option(parsing: .unconditional, help: "Momentum (SGD, RMSprop).") var momentum: Double = 0.9
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Weight decay.") var weightDecay: Double = 0
    @Option(help: "Optimizer: sgd, adam, adamw, rmsprop.") var optimizer: String = "sgd"
    @Option(name: .customLong("val-size"), help: "Training images held out for validation (default: 10000 for CIFAR-10, a fifth otherwise).")
    var valSize: Int?
    @Flag(inversion: .prefixedNo, help: "RandomCrop(32, padding=4) + RandomHorizontalFlip on training images.")
    var augment = true
    @Option(help: "Seed for initialisation, split, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Save the trained weights (safetensors).", valueName: "file")) var save: String?
    @Option(help: ArgumentHelp("Write per-epoch metrics as CSV.", valueName: "file")) var metrics: String?
    @Option(help: ArgumentHelp("Save a checkpoint after every epoch.", valueName: "file")) var checkpoint: String?
    @Option(help: ArgumentHelp("Resume from a checkpoint.", valueName: "file")) var resume: String?

    func run() throws {
        var c = options.config()
        c.epochs = epochs
        c.lr = lr
        c.momentum = momentum
        c.weightDecay = weightDecay
        c.optimizer = optimizer.lowercased()
        c.valSize = valSize
        c.augment = augment
        c.seed = seed

        let setup: TrainingSetup
        var history = MetricHistory()
        do {
            setup = try TrainingSetup(config: c)
            if let resume {
                let ck = try Checkpoint.load(from: URL(fileURLWithPath: resume))
                try setup.restore(from: ck)
                history = ck.history
            }
        } catch {
            throw UserError("\(error)")
        }
        print("\(setup.datasetSummary); model \(c.model) (\(setup.model.parameterCount) parameters); "
              + "\(c.optimizer) lr \(c.lr) momentum \(c.momentum); batch \(c.batchSize); seed \(c.seed)")

        let engine = setup.makeEngine(history: history)
        var failure: String?
        let ckURL = checkpoint.map { URL(fileURLWithPath: $0) }
        engine.observe { event in
            switch event {
            case .epochEnded(let e):
                var line = String(format: "Epoch: %d Train Loss: %.4f Val Loss: %@ | train acc %.4f val acc %@ | %.0f img/s, %.2fs",
                                  e.epoch, e.trainLoss, e.valLoss.map { String(format: "%.4f", $0) } ?? "-",
                                  e.trainAccuracy, e.valAccuracy.map { String(format: "%.4f", $0) } ?? "-",
                                  e.imagesPerSecond, e.seconds)
                if let ckURL {
                    do {
                        try setup.checkpoint(engine: engine).save(to: ckURL)
                        line += " | checkpoint saved"
                    } catch {
                        line += " | checkpoint failed: \(error)"
                    }
                }
                print(line)
                fflush(stdout)
            case .tested(let acc, _, _):
                print(String(format: "Test Accuracy: %.4f", acc))
            case .paused(let reason):
                // Headless: a NaN/Inf loss cannot be fixed interactively, so stop.
                failure = reason ?? "paused"
                engine.send(.stop)
            case .failed(let message):
                failure = message
            default:
                break
            }
        }
        engine.start()
        engine.waitUntilDone()
        if let failure { throw UserError(failure) }

        do {
            if let save {
                try ModelFile.save(setup.model, modelName: c.model, to: URL(fileURLWithPath: save))
                print("Saved weights to \(save)")
            }
            if let metrics {
                try AtomicFile.write(Data(engine.history.csv().utf8), to: URL(fileURLWithPath: metrics))
                print("Wrote metrics to \(metrics)")
            }
        } catch {
            throw UserError("\(error)")
        }
    }
}

/// `workbench test`: accuracy of saved weights on the test split.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate saved weights on the test split: accuracy, per-class accuracy."
    )

    @OptionGroup var options: RunOptions
    @Option(help: ArgumentHelp("Weights file (safetensors).", valueName: "file")) var weights: String

    func run() throws {
        var c = options.config()
        c.valSize = 0
        do {
            let setup = try TrainingSetup(config: c)
            try ModelFile.load(into: setup.model, from: URL(fileURLWithPath: weights))
            guard let test = setup.test else { throw UserError("no test split") }
            let r = try TrainingEngine.evaluate(model: setup.model, loss: { crossEntropy($0, $1) }, source: test,
                                                numClasses: setup.classes.count)
            print(String(format: "Test Loss: %.4f", r.loss))
            for (i, acc) in r.confusion.perClassAccuracy.enumerated() {
                let name = setup.classes[i].padding(toLength: 12, withPad: " ", startingAt: 0)
                print("  \(name) \(acc.map { String(format: "%.4f", $0) } ?? "-")")
            }
            print(String(format: "Test Accuracy: %.4f", r.confusion.accuracy))
        } catch let e as UserError {
            throw e
        } catch {
            throw UserError("\(error)")
        }
    }
}
