import Dispatch
import Foundation

/// Batches for one split: how many per epoch, and a fresh iterator per epoch.
public struct BatchSource {
    /// Batches per epoch.
    public var count: Int
    /// Images per epoch.
    public var images: Int
    /// A fresh batch iterator for `epoch`: each call returns the next batch, nil at the end, or throws a data error.
    public var makeIterator: (_ epoch: Int) -> () throws -> (Tensor, IntTensor)?

    /// A source of `count` batches holding `images` images per epoch.
    public init(count: Int, images: Int, makeIterator: @escaping (_ epoch: Int) -> () throws -> (Tensor, IntTensor)?) {
        self.count = count
        self.images = images
        self.makeIterator = makeIterator
    }
}

/// What the engine reports to its observers (on the training thread; observers must be quick and thread-safe).
public enum TrainingEvent {
    /// A run began: epochs to do, steps per epoch, the first epoch (non-zero on resume).
    case started(epochs: Int, stepsPerEpoch: Int, startEpoch: Int)
    /// One optimisation step finished.
    case step(StepInfo)
    /// An epoch (training + validation) finished.
    case epochEnded(EpochSummary)
    /// A hyperparameter changed mid-run (applied before `globalStep`).
    case hyperparameterChanged(name: String, value: Double, globalStep: Int)
    /// The run paused (by command, or with a reason after a NaN/Inf loss).
    case paused(reason: String?)
    /// The run resumed after a pause.
    case resumed
    /// The run was stopped by the user before finishing.
    case stopped(MetricHistory)
    /// Test-set evaluation after training.
    case tested(accuracy: Double, loss: Double, confusion: ConfusionMatrix)
    /// The run completed all epochs.
    case finished(MetricHistory)
    /// The run could not start or continue (bad model shape, a command that failed …).
    case failed(String)
    /// Informational message (e.g. a checkpoint saved).
    case message(String)
}

/// Progress of one optimisation step.
public struct StepInfo: Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// 1-based step within the epoch.
    public var step: Int
    /// Steps in one epoch.
    public var stepsPerEpoch: Int
    /// 1-based step count over the whole run.
    public var globalStep: Int
    /// The step's training loss.
    public var loss: Double
    /// Learning rate of the first parameter group during the step.
    public var lr: Double
    /// Recent throughput (images per second).
    public var imagesPerSecond: Double
}

/// Commands sent to a running engine, applied at the next step boundary.
public enum TrainingCommand {
    /// Sets every group's learning rate.
    case setLearningRate(Double)
    /// Sets every group's momentum (beta1 for Adam and AdamW).
    case setMomentum(Double)
    /// Sets every group's weight decay.
    case setWeightDecay(Double)
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

/// The UI-free training loop: the reference loop (train mode, zero grads,
/// forward, loss, backward, step; validation in eval mode without grad each
/// epoch; test accuracy at the end) on a background serial `DispatchQueue`.
///
/// Commands go into a thread-safe inbox and are applied at step boundaries;
/// events go to observers. A NaN/Inf loss pauses the run (the bad step is not
/// applied); a model that does not fit the input shape fails before starting.
///
/// ```swift
/// let engine = TrainingEngine(model: model, optimizer: opt, loss: crossEntropy, train: train, val: val, epochs: 10)
/// engine.observe { event in print(event) }
/// engine.start()
/// engine.waitUntilDone()
/// ```
public final class TrainingEngine: @unchecked Sendable {
    /// Where a run is in its life cycle.
    public enum State: String, Sendable { case idle, running, paused, stopped, finished, failed }

    /// The model being trained.
    public let model: any UnaryLayer
    /// The optimizer stepping the model's parameters.
    public let optimizer: Optimizer
    /// Loss of logits against labels (cross-entropy in the reference loop).
    public let lossFunction: (Tensor, IntTensor) -> Tensor
    /// Training batches.
    public let train: BatchSource
    /// Validation batches, evaluated after each epoch.
    public let val: BatchSource?
    /// Test batches, evaluated after the last epoch.
    public let test: BatchSource?
    /// Total epochs of the run (including those done before a resume).
    public let epochs: Int
    /// Input shape of one sample (e.g. [3, 32, 32]) to validate the model against before starting.
    public let inputShape: [Int]?
    /// Number of classes, for the confusion matrices.
    public let numClasses: Int

    /// First epoch to run (set from a checkpoint to resume).
    public var startEpoch = 0
    /// History so far (read it from observers or after the run; guarded by the engine lock).
    public var history: MetricHistory { lock.lock(); defer { lock.unlock() }; return _history }
    /// The run's current state.
    public var state: State { lock.lock(); defer { lock.unlock() }; return _state }
    /// Optimisation steps taken so far.
    public private(set) var globalStep = 0

    let queue = DispatchQueue(label: "workbench.training", qos: .userInitiated)
    private let lock = NSCondition()
    private var inbox: [TrainingCommand] = []
    private var _state: State = .idle
    private var _history = MetricHistory()
    private var observers: [Int: (TrainingEvent) -> Void] = [:]
    private var nextObserver = 0
    private let done = DispatchGroup()

    /// An idle engine; `epochs` must be non-negative and `numClasses` positive. Call `start()` to run.
    public init(model: any UnaryLayer, optimizer: Optimizer, loss: @escaping (Tensor, IntTensor) -> Tensor,
                train: BatchSource, val: BatchSource? = nil, test: BatchSource? = nil, epochs: Int,
                inputShape: [Int]? = nil, numClasses: Int = 10, history: MetricHistory = MetricHistory()) {
        precondition(epochs >= 0, "TrainingEngine: epochs must be non-negative, got \(epochs)")
        precondition(numClasses > 0, "TrainingEngine: numClasses must be positive, got \(numClasses)")
        self.model = model
        self.optimizer = optimizer
        self.lossFunction = loss
        self.train = train
        self.val = val
        self.test = test
        self.epochs = epochs
        self.inputShape = inputShape
        self.numClasses = numClasses
        _history = history
        startEpoch = history.epochs.count
    }

    /// Adds an observer; returns a token for `removeObserver`.
    @discardableResult
    public func observe(_ body: @escaping (TrainingEvent) -> Void) -> Int {
        lock.lock(); defer { lock.unlock() }
        nextObserver += 1
        observers[nextObserver] = body
        return nextObserver
    }

    /// Removes the observer added with `token`.
    public func removeObserver(_ token: Int) {
        lock.lock(); defer { lock.unlock() }
        observers[token] = nil
    }

    private func emit(_ e: TrainingEvent) {
        lock.lock()
        let obs = Array(observers.values)
        lock.unlock()
        for o in obs { o(e) }
    }

    /// Queues a command; a running engine applies it at the next step boundary,
    /// an idle or finished one applies it right away on its queue.
    public func send(_ command: TrainingCommand) {
        lock.lock()
        let active = _state == .running || _state == .paused
        if active { inbox.append(command); lock.broadcast() }
        lock.unlock()
        if !active {
            queue.async { _ = self.apply(command) }
        }
    }

    /// Starts the run on the background queue. Validates the model first.
    public func start() {
        lock.lock()
        guard _state == .idle else { lock.unlock(); return }
        _state = .running
        lock.unlock()
        done.enter()
        queue.async {
            self.run()
            self.done.leave()
        }
    }

    /// Blocks until the run ends (finished, stopped or failed).
    public func waitUntilDone() { done.wait() }

    // MARK: - The loop

    private func setState(_ s: State) {
        lock.lock(); _state = s; lock.broadcast(); lock.unlock()
    }

    /// Applies one command on the training thread. Returns false if the run must stop.
    private func apply(_ c: TrainingCommand) -> Bool {
        switch c {
        case .setLearningRate(let v):
            optimizer.lr = v
            emit(.hyperparameterChanged(name: "lr", value: v, globalStep: globalStep + 1))
        case .setMomentum(let v):
            do {
                try optimizer.setOption("momentum", .number(v))
                emit(.hyperparameterChanged(name: "momentum", value: v, globalStep: globalStep + 1))
            } catch { emit(.failed("momentum: \(error)")) }
        case .setWeightDecay(let v):
            do {
                try optimizer.setOption("weight_decay", .number(v))
                emit(.hyperparameterChanged(name: "weight_decay", value: v, globalStep: globalStep + 1))
            } catch { emit(.failed("weight decay: \(error)")) }
        case .pause:
            if state == .running { setState(.paused); emit(.paused(reason: nil)) }
        case .resume:
            if state == .paused { setState(.running); emit(.resumed) }
        case .stop:
            return false
        case .perform(let body):
            body(self)
        }
        return true
    }

    /// Drains the inbox; while paused, waits for commands. Returns false to stop.
    private func boundary() -> Bool {
        while true {
            lock.lock()
            while inbox.isEmpty && _state == .paused { lock.wait() }
            let cmds = inbox
            inbox.removeAll()
            lock.unlock()
            for c in cmds where !apply(c) { return false }
            if state != .paused { return true }
        }
    }

    private func pause(_ reason: String) {
        setState(.paused)
        emit(.paused(reason: reason))
    }

    private func run() {
        if let s = inputShape {
            do { _ = try model.validate(inputShape: [1] + s) } catch {
                setState(.failed)
                emit(.failed("the model does not fit the input shape \(s): \(error)"))
                return
            }
        }
        emit(.started(epochs: epochs, stepsPerEpoch: train.count, startEpoch: startEpoch))
        for epoch in startEpoch..<epochs {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            model.train()
            var lossSum = 0.0, seen = 0, correct = 0
            var windowStart = epochStart, windowImages = 0
            var rate = 0.0
            var step = 0
            let next = train.makeIterator(epoch)
            while true {
                let batch: (Tensor, IntTensor)?
                do { batch = try next() } catch { return fail("reading training data: \(error)") }
                guard let (x, y) = batch else { break }
                if !boundary() { return finishStopped() }
                step += 1
                optimizer.zeroGrad()
                let out = model(x)
                let loss = lossFunction(out, y)
                let lv = Double(loss.item())
                if !lv.isFinite {
                    pause("loss is \(lv) at epoch \(epoch + 1) step \(step); the step was not applied — lower the learning rate and resume, or stop")
                    if !boundary() { return finishStopped() }
                    continue
                }
                loss.backward()
                optimizer.step()
                globalStep += 1
                let n = y.count
                lossSum += lv * Double(n)
                seen += n
                correct += Self.countCorrect(out, y)
                windowImages += n
                let now = DispatchTime.now().uptimeNanoseconds
                if now - windowStart > 500_000_000 || rate == 0 {
                    rate = Double(windowImages) / (Double(now - windowStart) / 1e9)
                    windowStart = now
                    windowImages = 0
                }
                emit(.step(StepInfo(epoch: epoch, step: step, stepsPerEpoch: train.count, globalStep: globalStep,
                                    loss: lv, lr: optimizer.lr, imagesPerSecond: rate)))
            }
            let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            var valLoss: Double?, valAcc: Double?
            if let val {
                if !boundary() { return finishStopped() }
                let r: (loss: Double, confusion: ConfusionMatrix)
                do { r = try evaluate(val, epoch: epoch) } catch { return fail("reading validation data: \(error)") }
                valLoss = r.loss
                valAcc = r.confusion.accuracy
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            let summary = EpochSummary(epoch: epoch, trainLoss: seen > 0 ? lossSum / Double(seen) : .nan,
                                       trainAccuracy: seen > 0 ? Double(correct) / Double(seen) : 0,
                                       valLoss: valLoss, valAccuracy: valAcc,
                                       imagesPerSecond: Double(seen) / Swift.max(trainSeconds, 1e-9),
                                       seconds: seconds, lr: optimizer.lr)
            lock.lock(); _history.epochs.append(summary); lock.unlock()
            emit(.epochEnded(summary))
        }
        if let test {
            if !boundary() { return finishStopped() }
            let r: (loss: Double, confusion: ConfusionMatrix)
            do { r = try evaluate(test, epoch: epochs) } catch { return fail("reading test data: \(error)") }
            lock.lock(); _history.testAccuracy = r.confusion.accuracy; lock.unlock()
            emit(.tested(accuracy: r.confusion.accuracy, loss: r.loss, confusion: r.confusion))
        }
        setState(.finished)
        emit(.finished(history))
    }

    private func fail(_ message: String) {
        setState(.failed)
        emit(.failed(message))
    }

    private func finishStopped() {
        setState(.stopped)
        emit(.stopped(history))
    }

    /// Mean loss and confusion matrix over `source`, in eval mode without grad.
    public func evaluate(_ source: BatchSource, epoch: Int = 0) throws -> (loss: Double, confusion: ConfusionMatrix) {
        try Self.evaluate(model: model, loss: lossFunction, source: source, epoch: epoch, numClasses: numClasses)
    }

    /// Mean loss and confusion matrix of `model` over `source`, in eval mode without grad.
    public static func evaluate(model: any UnaryLayer, loss: (Tensor, IntTensor) -> Tensor, source: BatchSource,
                                epoch: Int = 0, numClasses: Int) throws -> (loss: Double, confusion: ConfusionMatrix) {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var cm = ConfusionMatrix(classes: numClasses)
        var lossSum = 0.0, n = 0
        try noGrad {
            let next = source.makeIterator(epoch)
            while let (x, y) = try next() {
                let out = model(x)
                lossSum += Double(loss(out, y).item()) * Double(y.count)
                n += y.count
                cm.add(logits: out, targets: y)
            }
        }
        return (n > 0 ? lossSum / Double(n) : .nan, cm)
    }

    static func countCorrect(_ logits: Tensor, _ targets: IntTensor) -> Int {
        let n = logits.shape[0], c = logits.shape[1]
        return logits.withUnsafeBufferPointer { p in
            var correct = 0
            for i in 0..<n {
                var best = 0
                for j in 1..<c where p[i * c + j] > p[i * c + best] { best = j }
                if best == targets.values[i] { correct += 1 }
            }
            return correct
        }
    }
}
