import Foundation

/// One epoch's results, like the reference loop's printed line.
public struct EpochSummary: Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Training metrics over the epoch: `loss` (sample-weighted mean) and the task's metrics.
    public var train: [String: Double]
    /// Validation metrics after the epoch, nil without a validation split.
    public var validation: [String: Double]?
    /// Training samples per second over the epoch (compute + data).
    public var samplesPerSecond: Double
    /// Wall-clock seconds of the epoch including validation.
    public var seconds: Double
    /// Learning rate in force at the end of the epoch.
    public var lr: Double

    /// A summary of the given figures.
    public init(epoch: Int, train: [String: Double], validation: [String: Double]?, samplesPerSecond: Double,
                seconds: Double, lr: Double) {
        self.epoch = epoch
        self.train = train
        self.validation = validation
        self.samplesPerSecond = samplesPerSecond
        self.seconds = seconds
        self.lr = lr
    }

    /// Mean training loss.
    public var trainLoss: Double { train["loss"] ?? .nan }
    /// Mean validation loss, nil without validation.
    public var valLoss: Double? { validation?["loss"] }
    /// Training accuracy (classification), nil for other tasks.
    public var trainAccuracy: Double? { train["accuracy"] }
    /// Validation accuracy (classification), nil for other tasks or without validation.
    public var valAccuracy: Double? { validation?["accuracy"] }
}

extension EpochSummary: Codable {
    private enum Keys: String, CodingKey {
        case epoch, train, validation, samplesPerSecond, seconds, lr
        // Checkpoints of version 1 (0-based epochs, classification fields).
        case trainLoss, trainAccuracy, valLoss, valAccuracy, imagesPerSecond
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        seconds = try c.decode(Double.self, forKey: .seconds)
        lr = try c.decode(Double.self, forKey: .lr)
        if let legacyLoss = try c.decodeIfPresent(Double.self, forKey: .trainLoss) {
            epoch = try c.decode(Int.self, forKey: .epoch) + 1
            train = ["loss": legacyLoss, "accuracy": try c.decode(Double.self, forKey: .trainAccuracy)]
            let vl = try c.decodeIfPresent(Double.self, forKey: .valLoss)
            let va = try c.decodeIfPresent(Double.self, forKey: .valAccuracy)
            validation = vl == nil && va == nil ? nil : ["loss": vl ?? .nan, "accuracy": va ?? .nan]
            samplesPerSecond = try c.decode(Double.self, forKey: .imagesPerSecond)
        } else {
            epoch = try c.decode(Int.self, forKey: .epoch)
            train = try c.decode([String: Double].self, forKey: .train)
            validation = try c.decodeIfPresent([String: Double].self, forKey: .validation)
            samplesPerSecond = try c.decode(Double.self, forKey: .samplesPerSecond)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(train, forKey: .train)
        try c.encodeIfPresent(validation, forKey: .validation)
        try c.encode(samplesPerSecond, forKey: .samplesPerSecond)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(lr, forKey: .lr)
    }
}

/// Everything a run has measured: per-epoch summaries, the test evaluation,
/// the per-step loss curve (downsampled) and live hyperparameter changes.
/// The engine keeps it, checkpoints save it, the CLI writes it as CSV and the
/// TUI charts it.
public struct MetricHistory: Equatable, Sendable {
    /// The task's metrics besides the loss, in display order.
    public var metrics: [MetricSpec]
    /// One summary per finished epoch (epoch numbers 1, 2, …).
    public var epochs: [EpochSummary]
    /// Test-split evaluation after training, if run.
    public var test: Evaluation?
    /// Per-step training loss, downsampled for long runs (kept in checkpoints so a resumed run redraws its curve).
    public var stepLosses: StepLossSeries?
    /// Live hyperparameter changes, in order.
    public var changes: [HyperparameterChange]

    /// A history of the given parts.
    public init(metrics: [MetricSpec] = [.accuracy], epochs: [EpochSummary] = [], test: Evaluation? = nil,
                stepLosses: StepLossSeries? = nil, changes: [HyperparameterChange] = []) {
        self.metrics = metrics
        self.epochs = epochs
        self.test = test
        self.stepLosses = stepLosses
        self.changes = changes
    }

    /// Test accuracy (classification), nil when not tested or for other tasks.
    public var testAccuracy: Double? { test?.accuracy }

    /// `epoch,train_loss,train_<metric>…,val_loss,val_<metric>…,samples_per_s,seconds,lr` rows,
    /// then `# test_<metric>,value` lines after a test pass.
    public func csv() -> String {
        let labels = metrics.map(\.label)
        var s = (["epoch", "train_loss"] + labels.map { "train_" + $0 } + ["val_loss"] + labels.map { "val_" + $0 }
                 + ["samples_per_s", "seconds", "lr"]).joined(separator: ",") + "\n"
        func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "" }
        for e in epochs {
            var row = ["\(e.epoch)", f(e.trainLoss)] + metrics.map { f(e.train[$0.name]) }
            row += [f(e.valLoss)] + metrics.map { m in f(e.validation?[m.name]) }
            row += [String(format: "%.1f", e.samplesPerSecond), String(format: "%.3f", e.seconds), "\(e.lr)"]
            s += row.joined(separator: ",") + "\n"
        }
        if let t = test {
            s += "# test_loss,\(f(t.loss))\n"
            for m in metrics { if let v = t.metrics[m.name] { s += "# test_\(m.label),\(f(v))\n" } }
        }
        return s
    }
}

extension MetricHistory: Codable {
    private enum Keys: String, CodingKey { case metrics, epochs, test, stepLosses, changes, testAccuracy }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        metrics = try c.decodeIfPresent([MetricSpec].self, forKey: .metrics) ?? [.accuracy]
        epochs = try c.decodeIfPresent([EpochSummary].self, forKey: .epochs) ?? []
        stepLosses = try c.decodeIfPresent(StepLossSeries.self, forKey: .stepLosses)
        changes = try c.decodeIfPresent([HyperparameterChange].self, forKey: .changes) ?? []
        if let t = try c.decodeIfPresent(Evaluation.self, forKey: .test) {
            test = t
        } else if let acc = try c.decodeIfPresent(Double.self, forKey: .testAccuracy) {
            test = Evaluation(split: "test", loss: .nan, metrics: ["accuracy": acc])   // version 1
        } else {
            test = nil
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(epochs, forKey: .epochs)
        try c.encodeIfPresent(test, forKey: .test)
        try c.encodeIfPresent(stepLosses, forKey: .stepLosses)
        try c.encode(changes, forKey: .changes)
    }
}
