import ArgumentParser
import Foundation
import Tensors
import WorkbenchMPI
import WorkbenchRuns

/// Options that pick a model and a dataset, shared by `train` and `test`.
struct RunOptions: ParsableArguments {
    @Option(help: "Zoo model (see `workbench models`) or a model file (.model.yaml, .json). Default: lenet5 for images, mlp for a CSV file.")
    var model: String?

    @Option(help: ArgumentHelp("CIFAR-10 archive, extracted folder, or a folder holding either; or a .csv file. Default: the embedded Shapes10 dataset.",
                               valueName: "path"))
    var data: String?

    @Option(help: ArgumentHelp("CSV: the column to predict (default `label`; comma-separated columns for regression).",
                               valueName: "column"))
    var target: String?

    @Option(help: ArgumentHelp("What to learn: classification (default), regression (a CSV target column), language-modeling (a .txt file, or the embedded arithmetic corpus), sequence-classification (a CSV text column, class folders of .txt files, or the embedded sums) or forecasting (a CSV column with --target, or embedded sine waves).",
                               valueName: "task"))
    var task: String?

    @Option(name: .customLong("seq-len"), help: "Tokens per language-modelling window; longest text kept for sequence classification; values per forecasting window.")
    var sequenceLength: Int = 64

    @Option(name: .customLong("text-column"), help: ArgumentHelp("Sequence classification on a CSV file: the text column (default `text`).", valueName: "column"))
    var textColumn: String?

    @Option(name: .customLong("batch-size"), help: "Images per batch.")
    var batchSize: Int = 16

    @Option(help: "Data-loading workers (0: load on the training thread).")
    var workers: Int = 2

    @Option(help: ArgumentHelp("Use only the first N training and N test images.", valueName: "n"))
    var limit: Int?

    /// A training configuration with these model and data settings, the rest at their defaults.
    func config() throws -> TrainingConfig {
        var c = TrainingConfig()
        c.dataPath = data
        c.target = target
        c.sequenceLength = sequenceLength
        c.textColumn = textColumn
        if let task {
            guard let k = TaskKind(rawValue: task.lowercased()) else {
                throw UserError("--task \(task): expected one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.task = k
        }
        let name = model ?? TrainingConfig.defaultModel(dataPath: data, task: c.task)
        c.model = ModelDefinition.isModelFile(name) ? name : name.lowercased()
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
    @Option(help: ArgumentHelp("Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")) var optimizer: String = "sgd"
    @Option(help: ArgumentHelp("Learning-rate scheduler: \(SchedulerKind.allCases.map(\.rawValue).joined(separator: ", ")) (see `workbench models catalogue`).",
                               valueName: "name"))
    var scheduler: String?
    @Option(name: .customLong("scheduler-args"),
            help: ArgumentHelp("The scheduler's arguments by PyTorch name, e.g. step_size=5,gamma=0.5 (OneCycleLR takes its steps from the run).",
                               valueName: "k=v,..."))
    var schedulerArgs: String?
    @Option(name: .customLong("val-size"), help: "Training images held out for validation (default: 10000 for CIFAR-10, a fifth otherwise).")
    var valSize: Int?
    @Flag(inversion: .prefixedNo, help: "RandomCrop(32, padding=4) + RandomHorizontalFlip on training images.")
    var augment = true
    @Option(help: "Seed for initialisation, split, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Save the trained weights (safetensors).", valueName: "file")) var save: String?
    @Option(name: .customLong("metrics"), help: ArgumentHelp("Write per-epoch metrics as CSV.", valueName: "file"))
    var metricsPath: String?
    @Option(help: ArgumentHelp("Save a checkpoint after every epoch.", valueName: "file")) var checkpoint: String?
    @Option(name: .customLong("checkpoint-every"),
            help: ArgumentHelp("Also save the checkpoint every N optimizer steps (mid-epoch; a resume continues with the next batch).", valueName: "n"))
    var checkpointEvery: Int?
    @Option(help: ArgumentHelp("Resume from a checkpoint.", valueName: "file")) var resume: String?
    @OptionGroup var runStore: RunStoreOption
    @Flag(inversion: .prefixedNo, help: "Record the run in the run store (--runs).") var record = true
    @Option(help: ArgumentHelp("Write TensorBoard event files into this folder.", valueName: "dir")) var tensorboard: String?
    @Flag(help: "Data-parallel training over MPI, one process per rank: `mpirun -np N workbench train --distributed …` (--batch-size is per rank).")
    var distributed = false
    @Flag(name: .customLong("sync-bn"), inversion: .prefixedNo,
          help: "Distributed: batch-norm layers use the statistics of every rank's batch (SyncBatchNorm).")
    var syncBN = true
    @Option(name: .customLong("collective-timeout"),
            help: "Distributed: seconds a collective may wait for the other ranks before the job is aborted.")
    var collectiveTimeout: Double = 300
    @Flag(name: .customLong("events-json"), help: "Also print every training event as a JSON line prefixed `@event ` (rank 0; the TUI reads them).")
    var eventsJSON = false
    @Option(help: ArgumentHelp("Start from these weights (safetensors) instead of the seeded initialisation.", valueName: "file"))
    var weights: String?
    @Flag(name: .customLong("commands-stdin"),
          help: "Read training commands as JSON lines on standard input (rank 0: pause, resume, stop, lr changes; every rank applies them at the same step). The TUI drives distributed runs with it.")
    var commandsStdin = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        guard distributed else { return try train(group: nil) }
        let group = try DistributedLaunch.join(timeout: collectiveTimeout)
        // A rank that cannot go on (bad data on its host, a failed step) ends the whole job with its message.
        do { try train(group: group) } catch { group.abort("\(error)") }
        DistributedLaunch.finish(group)
    }

    /// The run; with `group`, this rank's part of a data-parallel run (rank 0 prints and writes files).
    private func train(group: MPIProcessGroup?) throws {
        let lead = (group?.rank ?? 0) == 0
        func say(_ line: String) {
            guard lead else { return }
            print(line)
            fflush(stdout)
        }
        var c = try options.config()
        c.epochs = epochs
        c.lr = lr
        c.momentum = momentum
        c.weightDecay = weightDecay
        do { c.optimizer = try OptimizerKind(name: optimizer) } catch { throw UserError("--optimizer: \(error)") }
        if let scheduler {
            do { c.scheduler = try SchedulerChoice(name: scheduler, arguments: schedulerArgs ?? "") } catch {
                throw UserError("--scheduler \(scheduler): \(error)")
            }
        } else if schedulerArgs != nil {
            throw UserError("--scheduler-args needs --scheduler NAME")
        }
        c.valSize = valSize
        c.augment = augment
        c.seed = seed

        if let n = checkpointEvery {
            guard n > 0 else { throw UserError("--checkpoint-every \(n): expected a positive number of steps") }
            guard checkpoint != nil else { throw UserError("--checkpoint-every needs --checkpoint FILE to save to") }
        }
        let setup: TrainingSetup
        var resumed: Checkpoint?
        do {
            if let resume {
                let ck = try Checkpoint.load(from: URL(fileURLWithPath: resume))
                if let done = Self.completed(ck, epochs: epochs) {
                    print("\(resume): \(done)")
                    return
                }
                resumed = ck
            }
            setup = try TrainingSetup(config: c, processGroup: group)
            if let group, syncBN { setup.model.convertSyncBatchNorm(group: group) }
            if let weights { _ = try ModelFile.load(into: setup.model, from: URL(fileURLWithPath: weights)) }
            if let resumed { try setup.restore(from: resumed) }
        } catch let e as UserError {
            throw e
        } catch {
            throw UserError("\(error)")
        }
        say("\(setup.datasetSummary); model \(c.model) (\(setup.model.parameterCount) parameters); task \(setup.task.kind.rawValue); "
            + "\(c.optimizer.rawValue) lr \(c.lr) momentum \(c.momentum)\(c.scheduler.map { "; scheduler \($0)" } ?? ""); batch \(c.batchSize); seed \(c.seed)")
        if let group {
            say("distributed: \(group.worldSize) ranks (MPI, \(group.threadSupport)) × batch \(c.batchSize) = global batch "
                + "\(group.worldSize * c.batchSize); \(setup.train.samples) training samples per rank"
                + (syncBN ? "; batch norm synchronised" : ""))
        }

        let engine = resumed.map { setup.makeEngine(resuming: $0) } ?? setup.makeEngine()
        let recording = try RunRecording(store: record && lead ? runStore : nil, tensorboard: lead ? tensorboard : nil, config: c,
                                         task: setup.task.kind.rawValue, source: "cli", engine: engine,
                                         classes: setup.classes)
        let metrics = setup.task.metrics
        let unit = setup.inputShape.count == 3 ? "img/s"
            : [.languageModeling, .sequenceClassification].contains(setup.task.kind) ? "seq/s"
            : setup.task.kind == .forecasting ? "windows/s" : "samples/s"
        var failure: String?
        let ckURL = lead ? checkpoint.map { URL(fileURLWithPath: $0) } : nil
        let eventLines = eventsJSON && lead ? TrainingEventLines() : nil
        var shown = progress
        if !lead { shown.quiet = true }   // distributed: rank 0 alone shows progress
        let bar = shown.printer(label: "epoch 1/\(c.epochs)", total: 0, unit: String(unit.dropLast(2)))
        engine.observe { event in
            if let eventLines { say(eventLines.line(for: event)) }
            switch event {
            case .step(let s):
                if s.step == 1 { bar.restart(label: "epoch \(s.epoch)/\(c.epochs)", total: s.stepsPerEpoch) }
                bar.update(done: s.step, items: s.step * c.batchSize, rate: s.samplesPerSecond,
                           note: String(format: "loss %.4f", s.loss))
                // Mid-epoch checkpoints; the one at an epoch's end waits for its validation.
                // Every rank takes part (the checkpoint gathers each rank's random state); rank 0 saves.
                if let every = checkpointEvery, checkpoint != nil, s.globalStep % every == 0, s.step < s.stepsPerEpoch {
                    let snapshot = setup.checkpoint(engine: engine)
                    do {
                        try ckURL.map { try snapshot.save(to: $0) }
                    } catch {
                        say("step \(s.globalStep): checkpoint failed: \(error)")
                    }
                }
            case .epochEnded(let e):
                bar.finish()
                var line = String(format: "Epoch: %d Train Loss: %.4f Val Loss: %@", e.epoch, e.trainLoss,
                                  e.valLoss.map { String(format: "%.4f", $0) } ?? "-")
                line += " | " + metrics.map { m in
                    "train \(m.label) \(Self.format(e.train[m.name])) val \(m.label) \(Self.format(e.validation?[m.name]))"
                }.joined(separator: " ")
                line += String(format: " | %.0f %@, %.2fs", e.samplesPerSecond, unit, e.seconds)
                if c.scheduler != nil { line += " | lr " + formatHyperparameter(e.lr) }
                let snapshot = checkpoint != nil ? setup.checkpoint(engine: engine) : nil
                if let ckURL, let snapshot {
                    do {
                        try snapshot.save(to: ckURL)
                        recording.recorder?.recordArtifact(kind: "checkpoint", path: ckURL.path)
                        line += " | checkpoint saved"
                    } catch {
                        line += " | checkpoint failed: \(error)"
                    }
                }
                say(line)
            case .evaluated(let r):
                bar.finish()
                if let acc = r.accuracy { say(String(format: "Test Accuracy: %.4f", acc)) }
                for m in metrics where m.name != "accuracy" {
                    say("Test \(m.label): \(Self.format(r.metrics[m.name]))")
                }
            case .stateChanged(.paused(let reason?)):
                // Headless: a NaN/Inf loss cannot be fixed interactively, so stop (unless a controller decides).
                guard !commandsStdin else { break }
                failure = reason
                engine.send(.stop)
            case .stateChanged(.failed(let message)):
                failure = message
            case .message(let m):
                say(m)
            default:
                break
            }
        }
        if commandsStdin {
            engine.sharesCommandsAcrossRanks = true
            if lead { CommandInput.start(engine: engine, say: say) }
        }
        engine.start()
        engine.waitUntilDone()
        if let failure {
            recording.close(status: .failed, message: failure)
            throw UserError(failure)
        }

        defer { recording.close(status: .finished, message: nil) }
        guard lead else { return }
        if let stats = engine.distributed?.statistics, stats.steps > 0 {
            say(String(format: "allreduce: %.2f ms per step (%d buckets, %.1f MB), %.0f%% overlapped with backward",
                       stats.allreduceSeconds / Double(stats.steps) * 1000, stats.bucketsPerStep,
                       Double(stats.bytesPerStep) / 1e6, stats.overlap * 100))
        }
        do {
            if let save {
                if [.languageModeling, .sequenceClassification, .forecasting].contains(setup.task.kind) {
                    try ModelFile.save(setup.model, modelName: c.model, tokenizer: setup.tokenizer, to: URL(fileURLWithPath: save))
                } else {
                    try ModelFile.save(setup.model, metadata: ModelMetadata(setup: setup), to: URL(fileURLWithPath: save))
                }
                recording.recorder?.recordArtifact(kind: "weights", path: save)
                print("Saved weights to \(save)")
            }
            if let metricsPath {
                try AtomicFile.write(Data(engine.history.csv().utf8), to: URL(fileURLWithPath: metricsPath))
                print("Wrote metrics to \(metricsPath)")
            }
        } catch {
            throw UserError("\(error)")
        }
    }
}

extension TrainCommand {
    /// Why resuming `ck` to `epochs` epochs has nothing to train (with how to
    /// extend the run), or nil when epochs remain.
    static func completed(_ ck: Checkpoint, epochs: Int) -> String? {
        guard ck.epoch >= epochs else { return nil }
        return "the run is already complete: the checkpoint holds \(ck.epoch) finished epoch\(ck.epoch == 1 ? "" : "s") "
            + "and --epochs \(epochs) asks for no more (--epochs is the run's total). "
            + "To train further, pass a larger total, e.g. --epochs \(ck.epoch + 5)."
    }

    /// A metric value for the epoch line (`0.6123`, `-` when missing).
    static func format(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
}

/// `workbench test`: accuracy of saved weights on the test split.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate saved weights on the test split: accuracy, per-class accuracy."
    )

    @OptionGroup var options: RunOptions
    @Option(help: ArgumentHelp("Weights file (safetensors).", valueName: "file")) var weights: String
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        var c = try options.config()
        c.valSize = 0
        do {
            let setup = try TrainingSetup(config: c)
            _ = try ModelFile.load(into: setup.model, from: URL(fileURLWithPath: weights))
            guard let test = setup.test else { throw UserError("\(c.dataPath ?? "the dataset") has no test split") }
            let bar = progress.printer(label: "test", total: test.count, unit: setup.inputShape.count == 3 ? "img" : "samples")
            var batches = 0, samples = 0
            let r = try TrainingEngine.evaluate(model: setup.model, task: setup.task, source: test, split: "test") { _, batch in
                batches += 1
                samples += batch.count
                bar.update(done: batches, items: samples)
            }
            bar.finish()
            print(String(format: "Test Loss: %.4f", r.loss))
            if let cm = r.confusion {
                for (i, acc) in cm.perClassAccuracy.enumerated() {
                    let name = setup.classes[i].padding(toLength: 12, withPad: " ", startingAt: 0)
                    print("  \(name) \(acc.map { String(format: "%.4f", $0) } ?? "-")")
                }
            }
            if let acc = r.accuracy { print(String(format: "Test Accuracy: %.4f", acc)) }
            for m in setup.task.metrics where m.name != "accuracy" {
                print("Test \(m.label): \(TrainCommand.format(r.metrics[m.name]))")
            }
            if let cm = r.confusion { print(ClassReport(cm).table(names: setup.classes)) }
        } catch let e as UserError {
            throw e
        } catch {
            throw UserError("\(error)")
        }
    }
}
