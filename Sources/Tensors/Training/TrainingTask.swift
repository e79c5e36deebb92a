/// What a run learns: how a batch becomes a loss, which metrics a pass over a
/// split reports, and which models fit. The engine owns the loop once
/// (modes, zero grad, backward, step, validation, test, events, commands);
/// everything that differs between image classification, regression and
/// sequence models is a small value of this protocol, chosen from the
/// dataset and the model (`TrainingSetup` does it).
///
/// ```swift
/// let task = ClassificationTask(numClasses: 10, inputShape: [3, 32, 32])
/// let engine = TrainingEngine(model: model, task: task, optimizer: opt, train: train, epochs: 10)
/// ```
public protocol TrainingTask {
    /// What kind of task this is (shown in the UI, stored with runs).
    var kind: TaskKind { get }
    /// The metrics a pass reports besides the loss; the first is the primary
    /// one (charted, used to pick the best epoch).
    var metrics: [MetricSpec] { get }
    /// Checks that `model` has the signature this task calls and fits the
    /// dataset's samples (a shape-only pass on meta tensors). Throws a
    /// `TrainingSetupError` naming the problem.
    func validate(_ model: Module) throws
    /// Runs `model` on `batch` in whatever mode the engine set and returns
    /// its output and the mean loss (a scalar that carries the graph while
    /// training). Throws a `TrainingSetupError` for a batch this task cannot read.
    func forward(_ model: Module, _ batch: Batch) throws -> (output: Tensor, loss: Tensor)
    /// A fresh accumulator for one pass over a split.
    func makeMeter() -> any MetricMeter
}

/// Shared steps of the tasks whose model maps one float input to one output.
enum UnaryTaskSupport {
    /// `model` as a one-input layer, or an error saying what `task` needs.
    static func layer(_ model: Module, for task: String) throws -> any UnaryLayer {
        guard let m = model as? any UnaryLayer else {
            throw TrainingSetupError("\(model.typeName) does not take one input tensor; \(task) needs a model that maps inputs to \(task == "classification" ? "logits" : "predictions")")
        }
        return m
    }

    /// The model's output shape for a batch of one sample of `inputShape` (a shape-only
    /// pass); nil when no shape is known. Throws naming the layer that does not fit.
    static func outputShape(_ model: Module, _ inputShape: [Int]?, for task: String) throws -> [Int]? {
        let m = try layer(model, for: task)
        guard let shape = inputShape else { return nil }
        do { return try m.validate(inputShape: [1] + shape).first?.outputShape } catch {
            throw TrainingSetupError("the model does not fit the input shape \(shape): \(error)")
        }
    }

    /// The batch's single float input, or an error naming what the task expected and got.
    static func input(_ batch: Batch, target: String, for task: String) throws -> Tensor {
        guard batch.inputs.count == 1, let x = batch.inputs[0].tensor else {
            throw TrainingSetupError("\(task) expects a float input and \(target), got "
                                     + batch.inputs.map(\.summary).joined(separator: ", ") + " and \(batch.target.summary)")
        }
        return x
    }
}

/// The kinds of tasks the engine runs.
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    case classification
    case regression
    case languageModeling = "language-modeling"
    case sequenceClassification = "sequence-classification"
    /// Predicting the next values of a series from a window of it (a regression).
    case forecasting
}

extension TaskKind {
    /// The metrics a task of this kind reports besides the loss (the first is the primary one).
    public var metrics: [MetricSpec] {
        switch self {
        case .classification, .sequenceClassification: return [.accuracy]
        case .regression, .forecasting: return [.mae, .rmse, .r2]
        case .languageModeling: return [.perplexity, .tokenAccuracy]
        }
    }

    /// Whether the task reads sequences (token ids or windows of a series) rather than images or table rows.
    public var readsSequences: Bool { self == .languageModeling || self == .sequenceClassification || self == .forecasting }
}

/// One metric a task reports: its key in `EpochSummary` dictionaries, a
/// short label for tables and charts, and how to read it.
public struct MetricSpec: Codable, Equatable, Sendable {
    /// Key in metric dictionaries (`accuracy`, `mae`).
    public var name: String
    /// Short label (`acc`, `mae`), used in CSV column names (`val_acc`).
    public var label: String
    /// Whether larger is better (accuracy) or smaller (errors, perplexity).
    public var higherIsBetter: Bool
    /// A fraction in 0…1, shown as a percentage.
    public var isFraction: Bool

    /// A metric description.
    public init(name: String, label: String, higherIsBetter: Bool, isFraction: Bool = false) {
        self.name = name
        self.label = label
        self.higherIsBetter = higherIsBetter
        self.isFraction = isFraction
    }

    /// Fraction of samples classified correctly.
    public static let accuracy = MetricSpec(name: "accuracy", label: "acc", higherIsBetter: true, isFraction: true)
    /// Mean absolute error.
    public static let mae = MetricSpec(name: "mae", label: "mae", higherIsBetter: false)
    /// Root of the mean squared error.
    public static let rmse = MetricSpec(name: "rmse", label: "rmse", higherIsBetter: false)
    /// Coefficient of determination, 1 − SSE/SST.
    public static let r2 = MetricSpec(name: "r2", label: "r2", higherIsBetter: true)
    /// exp(mean token cross-entropy).
    public static let perplexity = MetricSpec(name: "perplexity", label: "ppl", higherIsBetter: false)
    /// Fraction of tokens predicted correctly.
    public static let tokenAccuracy = MetricSpec(name: "token_accuracy", label: "tok_acc", higherIsBetter: true, isFraction: true)
}

/// Accumulates a task's metrics over the batches of one pass.
public protocol MetricMeter {
    /// Adds one batch: the model's output, the batch and its mean loss.
    mutating func add(output: Tensor, batch: Batch, loss: Double)
    /// The metrics so far by `MetricSpec.name`, plus `loss` (the sample-weighted mean).
    func values() -> [String: Double]
    /// The confusion matrix, for classification.
    var confusion: ConfusionMatrix? { get }
    /// The sums so far as a JSON document, for a checkpoint taken mid-epoch
    /// (nil when this meter cannot be saved; `Codable` meters can).
    func checkpointState() -> String?
    /// Restores sums saved by `checkpointState()`; throws for a document of another meter.
    mutating func restore(checkpointState: String) throws
}

extension MetricMeter {
    public var confusion: ConfusionMatrix? { nil }
}

/// Sample-weighted mean of batch losses, shared by the meters.
public struct LossMean: Codable, Sendable {
    private var sum = 0.0
    private var samples = 0
    /// An empty mean.
    public init() {}
    /// Adds a batch's mean loss over `count` samples.
    public mutating func add(_ loss: Double, count: Int) {
        sum += loss * Double(count)
        samples += count
    }
    /// The mean (NaN before any sample).
    public var value: Double { samples > 0 ? sum / Double(samples) : .nan }
    /// Samples counted.
    public var count: Int { samples }
}
