import Foundation
import Tensors
import WorkbenchRuns

// The UI reads the engine's own types (`TrainingEvent`, `TrainingState`,
// `RunPlan`, `StepInfo`, `EpochSummary`, `Evaluation`, `MetricHistory`,
// `TrainingConfig`); this file only adds what crosses the thread boundary.

/// File operations the engine performs between steps.
public enum FileOperation: String, Sendable, CaseIterable {
    case saveModel = "save model"
    case loadModel = "load model"
    case saveCheckpoint = "save checkpoint"
    case loadCheckpoint = "resume from checkpoint"
}

/// What the UI asks the session to do. Commands are queued and applied at step boundaries.
public enum SessionCommand: Equatable, Sendable {
    /// Start a run from the current weights with these settings (or resume a paused one).
    case start(TrainingConfig)
    case pause
    case resume
    case stop
    /// Discard the run and re-initialise the model's weights (seeded).
    case reset(seed: UInt64)
    /// Change a hyperparameter of the running training (and of the next run).
    case set(LiveHyperparameter)
    /// Save or load a model or checkpoint file.
    case file(FileOperation, path: String)
    /// Evaluate on the test split (loss, metrics, confusion matrix).
    case evaluate
    /// The divergence guard's way out of a NaN/Inf pause: restore the model and optimizer
    /// to the last good state (the last epoch end, or the run's start), set the learning
    /// rate to `lr`, and resume.
    case rollback(lr: Double)
    /// The learning-rate range test on a throw-away optimizer with these settings (the
    /// model's weights are restored afterwards), reported by `.lrFind` events.
    case findLR(TrainingConfig, test: LRRangeTest)
    /// End the range test early (Esc); the weights are put back and `.lrFind(.cancelled)` follows.
    case cancelLRFind
    /// Sample text from the language model (request `id`), reported by `.generated` events.
    /// During a run the weights are copied between steps and sampled on the copy.
    case generate(TextSampling, id: Int)
    /// Stop the sampling in flight (its events stop).
    case cancelGenerate
}

/// Progress and result of sampling text (`SessionCommand.generate`).
public enum GenerationUpdate: Equatable, Sendable {
    /// The text so far (prompt included) after `tokens` sampled tokens.
    case progress(id: Int, text: String, tokens: Int)
    /// The whole text (prompt included) and the number of sampled tokens.
    case finished(id: Int, text: String, tokens: Int)
    /// Why there is no text (not a language model, bad settings …).
    case failed(id: Int, String)

    /// The request this update answers.
    public var id: Int {
        switch self {
        case .progress(let id, _, _), .finished(let id, _, _), .failed(let id, _): return id
        }
    }
}

/// Progress and result of the learning-rate range test (`SessionCommand.findLR`).
public enum LRFindUpdate: Equatable, Sendable {
    case progress(step: Int, of: Int, lr: Double, loss: Double)
    case finished(LRRangeTest.Result)
    case failed(String)
    /// Cancelled after `steps` steps; the weights are back as they were.
    case cancelled(steps: Int)
}

/// What the session reports; the UI drains these on its own thread.
public enum SessionEvent: Equatable, Sendable {
    /// An event of the training engine, as the engine sent it.
    case training(TrainingEvent)
    /// A file operation finished; `error` is nil on success. Failed loads leave the model as it was.
    case fileFinished(FileOperation, path: String, error: String?)
    /// The history of a loaded checkpoint (epochs, per-step losses, changes) and the plan it implies.
    case historyRestored(MetricHistory, plan: RunPlan?)
    /// The learning-rate range test's progress and result.
    case lrFind(LRFindUpdate)
    /// The test samples the last evaluation got wrong (classification on a test split),
    /// sent right after its `.evaluated` event.
    case misclassified([Misclassification])
    /// Text sampled from the language model.
    case generated(GenerationUpdate)
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
