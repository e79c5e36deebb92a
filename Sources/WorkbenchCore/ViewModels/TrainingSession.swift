import Foundation

/// The life cycle of a training run.
public enum RunState: Equatable, Sendable {
    /// No run yet (or after "new run").
    case idle
    case running
    case paused
    /// Finished all epochs.
    case finished
    /// Stopped by the user.
    case stopped
    /// A step failed (NaN loss, shape error); the run is paused with this message.
    case failed(String)

    public var label: String {
        switch self {
        case .idle: return "IDLE"
        case .running: return "RUNNING"
        case .paused: return "PAUSED"
        case .finished: return "DONE"
        case .stopped: return "STOPPED"
        case .failed: return "FAILED"
        }
    }

    /// Whether a run is in progress (running or paused): quitting asks first.
    public var isActive: Bool { self == .running || self == .paused }
}

/// The numbers fixed when a run starts.
public struct RunPlan: Equatable, Sendable {
    public var epochs: Int
    public var stepsPerEpoch: Int
    public var trainExamples: Int
    public var validationExamples: Int
    public var batchSize: Int
    /// Epochs already done when the run started (resumed from a checkpoint); 0 for a new run.
    public var startEpoch: Int

    public init(epochs: Int, stepsPerEpoch: Int, trainExamples: Int, validationExamples: Int, batchSize: Int, startEpoch: Int = 0) {
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.trainExamples = trainExamples
        self.validationExamples = validationExamples
        self.batchSize = batchSize
        self.startEpoch = startEpoch
    }

    public var totalSteps: Int { epochs * stepsPerEpoch }
}

/// One optimisation step.
public struct StepMetrics: Equatable, Sendable {
    /// Global step, 1-based.
    public var step: Int
    /// Epoch, 1-based.
    public var epoch: Int
    public var loss: Double
    public var imagesPerSecond: Double
    public var learningRate: Double

    public init(step: Int, epoch: Int, loss: Double, imagesPerSecond: Double, learningRate: Double) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.imagesPerSecond = imagesPerSecond
        self.learningRate = learningRate
    }
}

/// The end-of-epoch summary.
public struct EpochMetrics: Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var valLoss: Double?
    public var valAccuracy: Double?
    /// Training images per second over the epoch (nil when the engine does not say).
    public var imagesPerSecond: Double?
    /// Wall-clock seconds of the epoch including validation (nil when unknown).
    public var seconds: Double?

    public init(epoch: Int, trainLoss: Double, valLoss: Double?, valAccuracy: Double?,
                imagesPerSecond: Double? = nil, seconds: Double? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
    }
}

/// Per-class results of an evaluation.
public struct EvaluationResult: Equatable, Sendable {
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]

    public init(confusion: [[Int]]) { self.confusion = confusion }

    /// Accuracy of each true class (nil for a class with no examples).
    public var perClassAccuracy: [Double?] {
        confusion.enumerated().map { i, row in
            let n = row.reduce(0, +)
            return n == 0 ? nil : Double(row[i]) / Double(n)
        }
    }

    public var accuracy: Double {
        let total = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        let right = confusion.enumerated().reduce(0) { $0 + $1.element[$1.offset] }
        return total == 0 ? 0 : Double(right) / Double(total)
    }
}

/// File operations the engine performs between steps.
public enum FileOperation: String, Sendable {
    case saveModel = "save model"
    case loadModel = "load model"
    case saveCheckpoint = "save checkpoint"
    case loadCheckpoint = "resume from checkpoint"
}

/// A live hyperparameter change.
public enum LiveHyperparameter: Equatable, Sendable {
    case learningRate(Double)
    case momentum(Double)
    case weightDecay(Double)

    public var field: HyperparameterField {
        switch self {
        case .learningRate: return .learningRate
        case .momentum: return .momentum
        case .weightDecay: return .weightDecay
        }
    }

    public var value: Double {
        switch self {
        case .learningRate(let v), .momentum(let v), .weightDecay(let v): return v
        }
    }

    /// Short chart label, e.g. "lr=0.05".
    public var label: String {
        switch self {
        case .learningRate(let v): return "lr=" + HyperparameterField.formatNumber(v)
        case .momentum(let v): return "mom=" + HyperparameterField.formatNumber(v)
        case .weightDecay(let v): return "wd=" + HyperparameterField.formatNumber(v)
        }
    }
}

/// What the UI asks the engine to do. Commands are queued and applied at step boundaries.
public enum SessionCommand: Equatable, Sendable {
    /// Start a run from the current weights with these settings.
    case start(Hyperparameters)
    case pause
    case resume
    case stop
    /// Discard the run and re-initialise the model's weights (seeded).
    case reset(seed: UInt64)
    case set(LiveHyperparameter)
    case save(FileOperation, path: String)
    /// Evaluate on the test split (per-class accuracy, confusion matrix).
    case evaluate
}

/// What the engine reports. The UI drains these on its own thread.
public enum SessionEvent: Equatable, Sendable {
    case runStarted(RunPlan)
    case step(StepMetrics)
    case epochEnded(EpochMetrics)
    case stateChanged(RunState)
    /// A live change took effect before `step` (the first step that uses it).
    case hyperparameterApplied(LiveHyperparameter, step: Int)
    case evaluated(EvaluationResult)
    /// A file operation finished; `error` is nil on success. Failed loads leave the model as it was.
    case fileFinished(FileOperation, path: String, error: String?)
    /// Metric history restored from a checkpoint (steps and epochs so far).
    case historyRestored(steps: [StepMetrics], epochs: [EpochMetrics], plan: RunPlan?)
    case message(String)
}

/// The engine as the UI sees it: a command inbox and an event outbox.
///
/// `send` and `drainEvents` are called from the UI thread and must return at once; the
/// work happens on the engine's own queue.
public protocol TrainingSession: AnyObject {
    func send(_ command: SessionCommand)
    /// Events since the last call, oldest first.
    func drainEvents() -> [SessionEvent]
    /// Stops any run and returns once no step is in flight (waiting at most `timeout`
    /// seconds). Called before the app exits: leaving while a BLAS call runs on the engine
    /// thread can hang OpenBLAS's shutdown.
    func close(timeout: TimeInterval)
}

/// Makes a session for a model on a dataset. Throws when the model cannot be built.
public protocol TrainingBackend: AnyObject {
    func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession
}

/// A thread-safe FIFO used as inbox and outbox between the UI and the engine.
public final class MessageQueue<T>: @unchecked Sendable {
    private var items: [T] = []
    private let lock = NSLock()

    public init() {}

    public func push(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    /// Everything queued so far, oldest first; the queue is left empty.
    public func drain() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items.removeAll(keepingCapacity: true)
        return out
    }

    public var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return items.isEmpty
    }
}
