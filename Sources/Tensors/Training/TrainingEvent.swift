import Foundation

/// Where a run is in its life cycle.
public enum TrainingState: Codable, Equatable, Sendable {
    /// No run yet.
    case idle
    case running
    /// Paused by command (`reason` nil) or by the engine after a NaN/Inf loss (the reason says what happened).
    case paused(reason: String?)
    /// Stopped by the user before finishing.
    case stopped
    /// Completed every epoch (and the test pass).
    case finished
    /// Could not start or continue (bad model shape, unreadable data …).
    case failed(String)

    /// Running or paused: a run is in progress.
    public var isActive: Bool {
        switch self {
        case .running, .paused: return true
        default: return false
        }
    }

    /// Upper-case label for status bars (`RUNNING`, `PAUSED`, `FAILED` …).
    public var label: String {
        switch self {
        case .idle: return "IDLE"
        case .running: return "RUNNING"
        case .paused(let r): return r == nil ? "PAUSED" : "FAILED"
        case .stopped: return "STOPPED"
        case .finished: return "DONE"
        case .failed: return "FAILED"
        }
    }
}

/// The numbers fixed when a run starts.
public struct RunPlan: Codable, Equatable, Sendable {
    /// Total epochs of the run (including those done before a resume).
    public var epochs: Int
    /// Optimisation steps per epoch.
    public var stepsPerEpoch: Int
    /// Samples per training epoch.
    public var trainSamples: Int
    /// Samples per validation pass (0 without a validation split).
    public var validationSamples: Int
    /// Samples per training batch.
    public var batchSize: Int
    /// Epochs already done (non-zero when resumed from a checkpoint).
    public var startEpoch: Int
    /// Optimisation steps already done (non-zero when resumed).
    public var startStep: Int

    /// A plan of the given numbers.
    public init(epochs: Int, stepsPerEpoch: Int, trainSamples: Int, validationSamples: Int, batchSize: Int,
                startEpoch: Int = 0, startStep: Int = 0) {
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.batchSize = batchSize
        self.startEpoch = startEpoch
        self.startStep = startStep
    }

    /// Steps of the whole run.
    public var totalSteps: Int { epochs * stepsPerEpoch }
}

/// Progress of one optimisation step.
public struct StepInfo: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// 1-based step within the epoch.
    public var step: Int
    /// Steps in one epoch.
    public var stepsPerEpoch: Int
    /// 1-based step count over the whole run; continues across a resume.
    public var globalStep: Int
    /// The step's training loss.
    public var loss: Double
    /// Learning rate of the first parameter group during the step.
    public var lr: Double
    /// Recent throughput (samples per second).
    public var samplesPerSecond: Double

    /// A step record.
    public init(epoch: Int, step: Int, stepsPerEpoch: Int, globalStep: Int, loss: Double, lr: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.step = step
        self.stepsPerEpoch = stepsPerEpoch
        self.globalStep = globalStep
        self.loss = loss
        self.lr = lr
        self.samplesPerSecond = samplesPerSecond
    }
}

/// A hyperparameter that changes while a run trains.
public enum LiveHyperparameter: Codable, Equatable, Sendable {
    case learningRate(Double)
    case momentum(Double)
    case weightDecay(Double)

    /// The optimizer option it sets (`lr`, `momentum`, `weight_decay`).
    public var optionName: String {
        switch self {
        case .learningRate: return "lr"
        case .momentum: return "momentum"
        case .weightDecay: return "weight_decay"
        }
    }

    /// The new value.
    public var value: Double {
        switch self {
        case .learningRate(let v), .momentum(let v), .weightDecay(let v): return v
        }
    }

    /// Short chart label, e.g. `lr=0.05`.
    public var label: String {
        let short: String
        switch self {
        case .learningRate: short = "lr"
        case .momentum: short = "mom"
        case .weightDecay: short = "wd"
        }
        return short + "=" + formatHyperparameter(value)
    }
}

/// A live change and the first step that used it.
public struct HyperparameterChange: Codable, Equatable, Sendable {
    /// Global step (1-based) of the first step with the new value.
    public var step: Int
    /// The new value.
    public var change: LiveHyperparameter

    /// A change applied before `step`.
    public init(step: Int, change: LiveHyperparameter) {
        self.step = step
        self.change = change
    }
}

/// The result of one evaluation pass (validation or test).
public struct Evaluation: Codable, Equatable, Sendable {
    /// `validation` or `test`.
    public var split: String
    /// Mean loss over the split.
    public var loss: Double
    /// The task's metrics by name (`accuracy`, `mae` …).
    public var metrics: [String: Double]
    /// Per-class counts, for classification.
    public var confusion: ConfusionMatrix?
    /// Samples evaluated.
    public var samples: Int

    /// An evaluation result.
    public init(split: String, loss: Double, metrics: [String: Double], confusion: ConfusionMatrix? = nil, samples: Int = 0) {
        self.split = split
        self.loss = loss
        self.metrics = metrics
        self.confusion = confusion
        self.samples = samples
    }

    /// Accuracy (classification), nil for other tasks.
    public var accuracy: Double? { metrics["accuracy"] }
}

/// What the engine reports to its observers, on the training thread
/// (observers must be quick and thread-safe). The CLI prints them, the TUI
/// queues them for its own thread; both read these same types.
public enum TrainingEvent: Codable, Equatable, Sendable {
    /// A run began (or resumed from a checkpoint: see `startEpoch`, `startStep`).
    case started(RunPlan)
    /// One optimisation step finished.
    case step(StepInfo)
    /// An epoch (training + validation) finished.
    case epochEnded(EpochSummary)
    /// A live change took effect from `step` (the first step that uses it).
    case hyperparameterChanged(LiveHyperparameter, step: Int)
    /// The run's state changed (paused, resumed, stopped, finished, failed).
    case stateChanged(TrainingState)
    /// An evaluation pass finished (the test split after training, or on request).
    case evaluated(Evaluation)
    /// Informational message (a checkpoint saved, a command that could not apply).
    case message(String)
}

/// Commands sent to a running engine, applied at the next step boundary.
public enum TrainingCommand {
    /// Changes a hyperparameter of every parameter group.
    case set(LiveHyperparameter)
    /// Pauses before the next step.
    case pause
    /// Resumes a paused run.
    case resume
    /// Stops the run at the next step boundary.
    case stop
    /// Runs `body` on the training thread between steps (model and optimizer are
    /// quiescent): for saving, snapshots and evaluation.
    case perform((_ engine: TrainingEngine) -> Void)
}

/// A hyperparameter value as editors and chart labels show it: `0.001`, `1e-05`.
public func formatHyperparameter(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) < 1e-3 || abs(v) >= 1e6 { return String(format: "%g", v) }
    var s = String(format: "%.6f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}
