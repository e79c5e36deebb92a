import Foundation

/// One epoch's results, like the reference loop's printed line.
public struct EpochSummary: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch.
    public var trainLoss: Double
    /// Training accuracy (0…1) over the epoch.
    public var trainAccuracy: Double
    /// Mean validation loss, nil without a validation split.
    public var valLoss: Double?
    /// Validation accuracy (0…1), nil without a validation split.
    public var valAccuracy: Double?
    /// Training images per second over the epoch (compute + data).
    public var imagesPerSecond: Double
    /// Wall-clock seconds of the epoch including validation.
    public var seconds: Double
    /// Learning rate in force at the end of the epoch.
    public var lr: Double

    /// A summary of the given figures.
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, valLoss: Double?, valAccuracy: Double?,
                imagesPerSecond: Double, seconds: Double, lr: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
        self.lr = lr
    }
}

/// Training loss per step, downsampled for long runs: point `i` is the mean loss of the
/// steps after `steps[i - 1]` up to and including `steps[i]` (global, 1-based), with the
/// learning rate in force at `steps[i]`. Kept in checkpoints so a resumed run can redraw
/// its loss curve.
public struct StepLossSeries: Codable, Equatable, Sendable {
    public var steps: [Int]
    public var losses: [Double]
    public var learningRates: [Double]
    /// Optimisation steps per epoch of the run that recorded the series (0 when unknown).
    public var stepsPerEpoch: Int

    public init(steps: [Int] = [], losses: [Double] = [], learningRates: [Double] = [], stepsPerEpoch: Int = 0) {
        self.steps = steps
        self.losses = losses
        self.learningRates = learningRates
        self.stepsPerEpoch = stepsPerEpoch
    }
}

/// Per-epoch history of a run, exportable as CSV.
public struct MetricHistory: Codable, Equatable, Sendable {
    /// One summary per finished epoch.
    public var epochs: [EpochSummary] = []
    /// Test accuracy after training, if evaluated.
    public var testAccuracy: Double?
    /// Per-step training loss when the trainer recorded it (the TUI does); nil otherwise,
    /// and in checkpoints written before the field existed.
    public var stepLosses: StepLossSeries?

    /// A history of the given epochs.
    public init(epochs: [EpochSummary] = [], testAccuracy: Double? = nil, stepLosses: StepLossSeries? = nil) {
        self.epochs = epochs
        self.testAccuracy = testAccuracy
        self.stepLosses = stepLosses
    }

    /// `epoch,train_loss,train_acc,val_loss,val_acc,images_per_s,seconds,lr` rows.
    public func csv() -> String {
        var s = "epoch,train_loss,train_acc,val_loss,val_acc,images_per_s,seconds,lr\n"
        func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "" }
        for e in epochs {
            s += "\(e.epoch),\(f(e.trainLoss)),\(f(e.trainAccuracy)),\(f(e.valLoss)),\(f(e.valAccuracy)),"
            s += "\(String(format: "%.1f", e.imagesPerSecond)),\(String(format: "%.3f", e.seconds)),\(e.lr)\n"
        }
        if let t = testAccuracy { s += "# test_acc,\(String(format: "%.6f", t))\n" }
        return s
    }
}

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// Number of classes.
    public let classes: Int
    /// Row-major `classes × classes`: `counts[t * classes + p]`.
    public private(set) var counts: [Int]

    /// An empty matrix for `classes` classes (non-negative).
    public init(classes: Int) {
        precondition(classes >= 0, "ConfusionMatrix: classes must be non-negative, got \(classes)")
        self.classes = classes
        counts = [Int](repeating: 0, count: classes * classes)
    }

    /// Samples of class `truth` predicted as `predicted`.
    public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classes + predicted] }

    /// Counts one sample; pairs outside `0..<classes` are ignored.
    public mutating func add(truth: Int, predicted: Int) {
        guard truth >= 0, truth < classes, predicted >= 0, predicted < classes else { return }
        counts[truth * classes + predicted] += 1
    }

    /// Adds the arg-max predictions of `logits` ([N, C]) against `targets`; returns the number correct.
    /// Predictions or targets outside `0..<classes` are not counted in the matrix.
    @discardableResult
    public mutating func add(logits: Tensor, targets: IntTensor) -> Int {
        precondition(logits.rank == 2 && logits.shape[1] > 0 && targets.values.count == logits.shape[0],
                     "ConfusionMatrix.add: expected logits [N, C] and N targets, got \(logits.shape) and \(targets.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        var correct = 0
        logits.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var best = 0
                var bv = p[i * c]
                for j in 1..<c where p[i * c + j] > bv { bv = p[i * c + j]; best = j }
                let t = targets.values[i]
                if best == t { correct += 1 }
                add(truth: t, predicted: best)
            }
        }
        return correct
    }

    /// Number of samples counted.
    public var total: Int { counts.reduce(0, +) }
    /// Fraction of samples on the diagonal (0 when empty).
    public var accuracy: Double {
        let t = total
        return t == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + self[$1, $1] }) / Double(t)
    }

    /// Recall of each class (correct / samples of that class); nil where a class has no samples.
    public var perClassAccuracy: [Double?] {
        (0..<classes).map { t in
            let row = (0..<classes).reduce(0) { $0 + self[t, $1] }
            return row == 0 ? nil : Double(self[t, t]) / Double(row)
        }
    }
}
